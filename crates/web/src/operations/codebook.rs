//! Operations on a scheme's codebook (issue 11): adding, editing, merging and importing codes,
//! each one transaction with its audit entry, checked by `flipside_core::qualitative::codebook`
//! against the codebook as it stands inside that transaction; and the reads the analysis pages
//! and downloads share: a cycle's coding as the analysis uses it (chats of participants whose
//! research consent stands, by pseudonym), the codebook as REFI-QDA, the excerpts as CSV.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use flipside_core::qualitative::aims::Aim;
use flipside_core::qualitative::codebook::{
    CodeFields, CodeId, Codebook, CodebookError, ImportParent, default_codebook, import_plan,
};
use flipside_core::qualitative::excerpt::Excerpt;
use flipside_core::qualitative::quotes::pseudonyms;
use flipside_core::qualitative::refi::{read_codebook, write_codebook};
use flipside_core::qualitative::views::{ExcerptCsvRow, excerpts_csv};
use flipside_core::recruitment::ConsentKind;
use flipside_store::{ChatRecord, CodeWrite, NewAuditEntry, Store, Tx};
use std::collections::BTreeMap;

/// The field of the code form a codebook rule concerns, for the message beside it.
fn field_of(e: &CodebookError) -> &'static str {
    match e {
        CodebookError::BadColour(_) => "colour",
        CodebookError::BadName | CodebookError::DuplicateName(_) => "name",
        CodebookError::DuplicateId(_) | CodebookError::UnknownCode(_) | CodebookError::Cycle(_) => {
            "parent"
        }
        CodebookError::MergeIntoItself => "into",
        CodebookError::UnknownAim(_) => "aim",
    }
}

fn invalid(e: CodebookError) -> AppError {
    let mut message = e.to_string();
    if let Some(first) = message.get(..1) {
        message = first.to_uppercase() + &message[1..];
    }
    AppError::Invalid {
        field: field_of(&e).into(),
        message: format!("{message}."),
    }
}

fn aim_keys(aims: &[Aim]) -> Vec<&str> {
    aims.iter().map(|a| a.key.as_str()).collect()
}

/// The names in a scheme are unique (ignoring case), not only among siblings: the store keeps
/// them so, and people say "the Trust code" without its parent.
fn unique_name(book: &Codebook, name: &str, except: Option<CodeId>) -> Result<(), AppError> {
    match book.named(name) {
        Some(other) if Some(other.id) != except => Err(AppError::Invalid {
            field: "name".into(),
            message: format!(
                "There is already a code called \u{201c}{}\u{201d} in this codebook: choose another name, or merge into it.",
                other.name
            ),
        }),
        _ => Ok(()),
    }
}

async fn audit(
    tx: &mut Tx,
    actor: Actor<'_>,
    action: &str,
    scheme_id: i64,
    detail: &str,
) -> Result<(), AppError> {
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action,
        subject_kind: "scheme",
        subject_id: Some(scheme_id),
        detail,
        address: actor.address,
    })
    .await?;
    Ok(())
}

/// Adds a code to a scheme's codebook.
pub async fn add_code(
    store: &Store,
    actor: Actor<'_>,
    scheme_id: i64,
    fields: &CodeFields<'_>,
) -> Result<CodeId, AppError> {
    let aims = store.aims_of_scheme(scheme_id).await?;
    let mut tx = store.begin().await?;
    let mut book = tx.codebook_for_change(scheme_id).await?;
    unique_name(&book, fields.name, None)?;
    let draft = book
        .add(
            fields.name,
            fields.description,
            fields.colour,
            fields.parent,
            fields.aim,
        )
        .map_err(invalid)?;
    let keys = aim_keys(&aims);
    book.validate(Some(&keys[..])).map_err(invalid)?;
    let code = book.get(draft).ok_or(AppError::NotFound)?.clone();
    tx.ensure_aims(scheme_id).await?;
    let id = tx
        .add_code(
            scheme_id,
            CodeWrite {
                parent: code.parent,
                name: &code.name,
                description: &code.description,
                colour: &code.colour,
                aim: code.aim.as_deref(),
            },
        )
        .await?;
    audit(
        &mut tx,
        actor,
        "code_added",
        scheme_id,
        &format!("code {id}: {}", code.name),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Edits every field of a code: renames it (its excerpts keep it), describes it, recolours
/// it, moves it under another code, ties it to an aim.
pub async fn edit_code(
    store: &Store,
    actor: Actor<'_>,
    scheme_id: i64,
    id: CodeId,
    fields: &CodeFields<'_>,
) -> Result<(), AppError> {
    let aims = store.aims_of_scheme(scheme_id).await?;
    let mut tx = store.begin().await?;
    let mut book = tx.codebook_for_change(scheme_id).await?;
    let before = book.get(id).ok_or(AppError::NotFound)?.clone();
    unique_name(&book, fields.name, Some(id))?;
    let keys = aim_keys(&aims);
    book.edit(id, fields, Some(&keys[..])).map_err(invalid)?;
    let code = book.get(id).ok_or(AppError::NotFound)?.clone();
    tx.ensure_aims(scheme_id).await?;
    tx.update_code(
        scheme_id,
        id,
        CodeWrite {
            parent: code.parent,
            name: &code.name,
            description: &code.description,
            colour: &code.colour,
            aim: code.aim.as_deref(),
        },
    )
    .await?;
    let renamed = if before.name == code.name {
        String::new()
    } else {
        format!(", renamed from {}", before.name)
    };
    audit(
        &mut tx,
        actor,
        "code_edited",
        scheme_id,
        &format!("code {id}: {}{renamed}", code.name),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Judges an edit of a code against the codebook as it stands, changing nothing: the API
/// refuses a body that breaks a rule as such before it compares `If-Match`. [`edit_code`]
/// judges it again inside its transaction.
pub async fn check_edit(
    store: &Store,
    scheme_id: i64,
    id: CodeId,
    fields: &CodeFields<'_>,
) -> Result<(), AppError> {
    let aims = store.aims_of_scheme(scheme_id).await?;
    let mut book = store.codebook_of_scheme(scheme_id).await?;
    book.get(id).ok_or(AppError::NotFound)?;
    unique_name(&book, fields.name, Some(id))?;
    let keys = aim_keys(&aims);
    book.edit(id, fields, Some(&keys[..])).map_err(invalid)?;
    Ok(())
}

/// Merges code `from` into code `into`: excerpts recoded, sub-codes moved, `from` removed.
/// Returns the merged code's name and how many excerpts were recoded.
pub async fn merge_codes(
    store: &Store,
    actor: Actor<'_>,
    scheme_id: i64,
    from: CodeId,
    into: CodeId,
) -> Result<(String, String, u64), AppError> {
    let mut tx = store.begin().await?;
    let mut book = tx.codebook_for_change(scheme_id).await?;
    let from_name = book.get(from).ok_or(AppError::NotFound)?.name.clone();
    let into_name = book
        .get(into)
        .map(|c| c.name.clone())
        .ok_or_else(|| AppError::Invalid {
            field: "into".into(),
            message: "Choose a code of this codebook to merge into.".into(),
        })?;
    book.merge(from, into, &mut []).map_err(invalid)?;
    let recoded = tx.merge_codes(scheme_id, from, into).await?;
    audit(
        &mut tx,
        actor,
        "codes_merged",
        scheme_id,
        &format!(
            "code {from} ({from_name}) into {into} ({into_name}): {recoded} excerpt(s) recoded"
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((from_name, into_name, recoded))
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub present: usize,
}

/// Imports a REFI-QDA codebook (`.qdc`) into a scheme's codebook: the codes not yet present
/// (by name) are added under their parents. A file that cannot be read is refused with what
/// is wrong, and nothing is stored.
pub async fn import_codebook(
    store: &Store,
    actor: Actor<'_>,
    scheme_id: i64,
    bytes: &[u8],
) -> Result<Imported, AppError> {
    let file = read_codebook(bytes).map_err(|e| AppError::Invalid {
        field: "file".into(),
        message: format!("The file was not imported, and nothing was stored: {e}."),
    })?;
    let mut tx = store.begin().await?;
    let book = tx.codebook_for_change(scheme_id).await?;
    let plan = import_plan(&book, &file);
    let mut new_ids: BTreeMap<CodeId, CodeId> = BTreeMap::new();
    for code in &plan.added {
        let parent = match code.parent {
            ImportParent::Top => None,
            ImportParent::Existing(id) => Some(id),
            ImportParent::Imported(imported) => new_ids.get(&imported).copied(),
        };
        let id = tx
            .add_code(
                scheme_id,
                CodeWrite {
                    parent,
                    name: &code.name,
                    description: &code.description,
                    colour: &code.colour,
                    aim: None,
                },
            )
            .await?;
        new_ids.insert(code.imported_id, id);
    }
    let done = Imported {
        added: plan.added.len(),
        present: plan.present,
    };
    audit(
        &mut tx,
        actor,
        "codebook_imported",
        scheme_id,
        &format!(
            "REFI-QDA codebook: {} code(s) added, {} already present",
            done.added, done.present
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// Starts an empty codebook from the default one (a code per default aim, with sub-codes).
/// Returns false when the scheme already had codes (nothing changes).
pub async fn start_default_codebook(
    store: &Store,
    actor: Actor<'_>,
    scheme_id: i64,
) -> Result<bool, AppError> {
    let mut tx = store.begin().await?;
    tx.codebook_for_change(scheme_id).await?;
    tx.ensure_aims(scheme_id).await?;
    if !tx.ensure_codebook(scheme_id).await? {
        return Ok(false);
    }
    audit(
        &mut tx,
        actor,
        "codebook_started",
        scheme_id,
        &format!(
            "default codebook, {} code(s)",
            default_codebook().codes.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The key of a cycle's REFI-QDA GUIDs: the same as its project export's, so that a codebook
/// downloaded beside the project names the same codes.
pub fn cycle_key(cycle_id: i64, site: &str) -> String {
    format!("flipside cycle {cycle_id} at {site}")
}

/// A scheme's codebook as a REFI-QDA `.qdc` document, its GUIDs keyed by `key`.
pub async fn codebook_qdc(store: &Store, scheme_id: i64, key: &str) -> Result<String, AppError> {
    let book = store.codebook_of_scheme(scheme_id).await?;
    let aims: BTreeMap<String, String> = store
        .aims_of_scheme(scheme_id)
        .await?
        .into_iter()
        .map(|a| (a.key, a.label))
        .collect();
    write_codebook(&book, &aims, key).map_err(|e| AppError::Conflict(format!("{e}.")))
}

/// A cycle's coding as the analysis uses it: the chats of participants whose research consent
/// stands (withdrawal takes a person's words out of later analysis), every coder's excerpts
/// of them, the scheme's codebook and aims, and everyone's pseudonym in the cycle.
pub struct CycleCoding {
    pub chats: Vec<ChatRecord>,
    pub excerpts: Vec<Excerpt>,
    pub book: Codebook,
    pub aims: Vec<Aim>,
    pub pseudonyms: BTreeMap<i64, String>,
}

impl CycleCoding {
    pub async fn load(store: &Store, cycle_id: i64, scheme_id: i64) -> Result<Self, AppError> {
        let consenting = store.consenting_to(cycle_id, ConsentKind::Research).await?;
        let chats: Vec<ChatRecord> = store
            .chats_of_cycle(cycle_id)
            .await?
            .into_iter()
            .filter(|c| consenting.contains(&c.participant_user_id))
            .collect();
        let excerpts = store
            .excerpts_of_cycle(cycle_id)
            .await?
            .into_iter()
            .filter(|e| chats.iter().any(|c| c.id == e.chat))
            .collect();
        let participants = store.qualitative_participants(cycle_id).await?;
        let pseudonyms = pseudonyms(
            &participants
                .iter()
                .map(|(id, role)| (*id, role.as_str()))
                .collect::<Vec<_>>(),
        );
        Ok(CycleCoding {
            chats,
            excerpts,
            book: store.codebook_of_scheme(scheme_id).await?,
            aims: store.aims_of_scheme(scheme_id).await?,
            pseudonyms,
        })
    }

    pub fn chat(&self, id: i64) -> Option<&ChatRecord> {
        self.chats.iter().find(|c| c.id == id)
    }

    /// The participant's pseudonym in the cycle ("Mentor 4").
    pub fn pseudonym(&self, chat: &ChatRecord) -> String {
        self.pseudonyms
            .get(&chat.participant_user_id)
            .cloned()
            .unwrap_or_else(|| "Participant".into())
    }

    /// "Coder 1", "Coder 2": coders numbered in the order their first excerpt appears, chat by
    /// chat, as the project export numbers them.
    pub fn coder_labels(&self) -> BTreeMap<i64, String> {
        let mut out = BTreeMap::new();
        for chat in &self.chats {
            for e in self.excerpts.iter().filter(|e| e.chat == chat.id) {
                let next = out.len() + 1;
                out.entry(e.coder)
                    .or_insert_with(|| format!("Coder {next}"));
            }
        }
        out
    }

    /// The excerpts as CSV rows: one per code of each excerpt, in chat then excerpt order.
    pub fn csv(&self) -> Result<(String, usize), AppError> {
        let coders = self.coder_labels();
        let mut rows = Vec::new();
        for chat in &self.chats {
            let pseudonym = self.pseudonym(chat);
            for e in self.excerpts.iter().filter(|e| e.chat == chat.id) {
                for code in &e.codes {
                    rows.push(ExcerptCsvRow {
                        code: self.book.path(*code).unwrap_or_default(),
                        pseudonym: pseudonym.clone(),
                        role: chat.participant_role.clone(),
                        aim: self.book.aim_of(*code).unwrap_or_default().to_string(),
                        text: e.span.text(&chat.chat.text).to_string(),
                        coder: coders.get(&e.coder).cloned().unwrap_or_default(),
                        chat: chat.id,
                    });
                }
            }
        }
        let body = excerpts_csv(&rows).map_err(AppError::internal)?;
        Ok((body, rows.len()))
    }
}

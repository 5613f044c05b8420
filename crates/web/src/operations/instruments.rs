//! A cycle's survey statements (issue 11): adding, rewording and retiring one, each one
//! transaction with its audit entry. The rules are `flipside_core::qualitative::instrument`;
//! one more guard lives here: once anyone has saved an answer in the cycle, its statements are
//! fixed even if the wave dates were moved later.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use chrono::NaiveDate;
use flipside_core::qualitative::aims::Aim;
use flipside_core::qualitative::instrument::{InstrumentEdit, InstrumentError, is_editable};
use flipside_store::{NewAuditEntry, Store};

/// What decides whether a cycle's statements may still change.
#[derive(Debug, Clone, Copy)]
pub struct InstrumentLock {
    /// The opening date of the cycle's earliest wave, if its dates are set.
    pub first_wave_opens: Option<NaiveDate>,
    /// Whether anyone has saved or submitted answers in the cycle.
    pub answered: bool,
}

impl InstrumentLock {
    pub async fn of(store: &Store, cycle_id: i64) -> Result<InstrumentLock, AppError> {
        Ok(InstrumentLock {
            first_wave_opens: store
                .survey_waves(cycle_id)
                .await?
                .iter()
                .map(|w| w.opens_on)
                .min(),
            answered: store.cycle_has_answers(cycle_id).await?,
        })
    }

    /// Why the statements can no longer change on `today`, in words for the coordinator; none
    /// while they can.
    pub fn reason(&self, today: NaiveDate) -> Option<String> {
        match self.first_wave_opens {
            Some(opens) if !is_editable(Some(opens), today) => Some(format!(
                "The first wave opened on {opens}, so these statements are fixed: everyone in this cycle answers the same words, and they stay as respondents saw them. Change the next cycle's statements instead."
            )),
            _ if self.answered => Some(
                "Answers are already saved in this cycle, so these statements are fixed: everyone in this cycle answers the same words. Change the next cycle's statements instead."
                    .to_string(),
            ),
            _ => None,
        }
    }
}

/// The page's field an edit's refusal belongs to, and the words the coordinator reads.
pub fn refusal(edit: &InstrumentEdit, error: InstrumentError) -> AppError {
    let invalid = |field: &str, message: &str| AppError::Invalid {
        field: field.to_string(),
        message: message.to_string(),
    };
    match error {
        InstrumentError::Locked(opens) => AppError::Conflict(format!(
            "The first wave opened on {opens}, so these statements are fixed. Change the next cycle's statements instead."
        )),
        InstrumentError::UnknownStatement(_) => AppError::NotFound,
        InstrumentError::Retired(code) => AppError::Conflict(format!(
            "The statement {code} is retired: it is no longer asked and cannot change."
        )),
        InstrumentError::BadCode(_) => invalid(
            "code",
            "Give the statement a code of 1 to 40 lower-case letters, digits and underscores, such as heard_by_leaders.",
        ),
        InstrumentError::DuplicateCode(_) => invalid(
            "code",
            "This cycle already has a statement with that code: choose another.",
        ),
        InstrumentError::UnknownRole(_) => invalid(
            "role_mentor",
            "Choose whom the statement is asked of: student mentors or staff mentees.",
        ),
        InstrumentError::UnknownAim(_) => invalid("aim", "Choose one of the scheme's aims."),
        InstrumentError::AimOfOtherRole(_) => invalid(
            "aim",
            "Choose an aim about the people the statement is asked of.",
        ),
        InstrumentError::BadText => match edit {
            InstrumentEdit::Reword { code, .. } => invalid(
                &format!("text_{code}"),
                "Write the statement in 1 to 300 characters.",
            ),
            _ => invalid("text", "Write the statement in 1 to 300 characters."),
        },
    }
}

/// Applies one edit to a cycle's statements on `today`, with its audit entry, in one
/// transaction. Refused once the first wave has opened or answers are saved.
pub async fn edit_instrument(
    store: &Store,
    actor: Actor<'_>,
    cycle_id: i64,
    edit: InstrumentEdit,
    aims: &[Aim],
    today: NaiveDate,
) -> Result<(), AppError> {
    let lock = InstrumentLock::of(store, cycle_id).await?;
    if let Some(why) = lock.reason(today) {
        return Err(AppError::Conflict(why));
    }
    let mut tx = store.begin().await?;
    tx.lock(&format!("cycle-instrument:{cycle_id}")).await?;
    let stored = tx.cycle_instrument(cycle_id).await?;
    let next = stored
        .rules()
        .apply(edit.clone(), aims, lock.first_wave_opens, today)
        .map_err(|e| refusal(&edit, e))?;
    let changed = |code: &str| {
        next.statements
            .iter()
            .find(|s| s.code == code)
            .cloned()
            .ok_or(AppError::NotFound)
    };
    let (action, code) = match &edit {
        InstrumentEdit::Add { code, .. } => {
            let statement = changed(code)?;
            let heading = aims
                .iter()
                .find(|a| a.key == statement.aim)
                .map_or(statement.aim.as_str(), |a| a.label.as_str())
                .to_string();
            tx.add_cycle_statement(cycle_id, &statement, &heading)
                .await?;
            ("instrument_statement_added", code)
        }
        InstrumentEdit::Reword { code, .. } => {
            let statement = changed(code)?;
            tx.reword_cycle_statement(cycle_id, code, &statement.text)
                .await?;
            ("instrument_statement_reworded", code)
        }
        InstrumentEdit::Retire { code } => {
            tx.retire_cycle_statement(cycle_id, code).await?;
            ("instrument_statement_retired", code)
        }
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action,
        subject_kind: "cycle",
        subject_id: Some(cycle_id),
        detail: &format!("statement {code} of instrument version {}", stored.version),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

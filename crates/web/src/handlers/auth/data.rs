//! Everything flipside holds on the signed-in person (issue 13), as JSON and as a readable
//! page, and the public notice of what flipside holds and why, generated from the registry.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use flipside_core::local_time::Zone;
use flipside_core::policy;
use flipside_core::privacy::{DataKind, RetentionSettings, Rule};
use flipside_store::NewAuditEntry;
use flipside_store::privacy::{Person, PersonExport};

/// One kind of data in words, for the notices.
pub struct KindRow {
    pub name: &'static str,
    pub purpose: &'static str,
    pub basis: &'static str,
    pub special: Option<&'static str>,
    pub visible_to: &'static str,
    pub kept: String,
}

/// The registry as the notices show it: every kind, with how long it is kept under `settings`.
pub fn kind_rows(settings: &RetentionSettings) -> Vec<KindRow> {
    DataKind::ALL
        .iter()
        .map(|&kind| {
            let info = kind.info();
            let rules: Vec<String> = Rule::ALL
                .iter()
                .filter(|r| r.kind() == kind)
                .map(|&r| format!("{}: {} months", r.what(), settings.months(r)))
                .collect();
            KindRow {
                name: info.name,
                purpose: info.purpose,
                basis: info.basis.words(),
                special: info.special.map(|s| s.words()),
                visible_to: info.visible_to,
                kept: if rules.is_empty() {
                    "Until the account is erased, or with what it belongs to.".into()
                } else {
                    rules.join("; ")
                },
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "privacy/notice.html")]
pub struct NoticePage {
    ctx: PageCtx,
    kinds: Vec<KindRow>,
}

/// `GET /privacy`: what flipside holds and why, for anyone.
pub async fn notice(State(state): State<AppState>, ctx: PageCtx) -> NoticePage {
    NoticePage {
        ctx,
        kinds: kind_rows(&state.settings.retention),
    }
}

pub async fn own_export(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    format: &str,
) -> Result<PersonExport, AppError> {
    allow(policy::own_personal_data(&user.actor))?;
    let person = Person {
        user_id: user.user.id,
        email: user.user.email.to_lowercase(),
        display_name: user.user.display_name.clone(),
    };
    let export = state
        .store
        .export_person(&person, state.clock.now())
        .await?;
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.user.id),
            action: "personal_data_exported",
            subject_kind: "user",
            subject_id: Some(user.user.id),
            detail: format,
            address,
        })
        .await?;
    Ok(export)
}

/// `GET /account/data.json`: everything held on the signed-in person, as a download.
pub async fn json(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
) -> Result<Response, AppError> {
    let export = own_export(&state, &user, &address, "json").await?;
    let body = serde_json::to_string_pretty(&export).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"flipside-my-data.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// One table's rows under its column headings, each value in words.
pub struct TableView {
    pub table: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl TableView {
    /// Lays out one exported table: the columns of its first row become the headings (every
    /// row of a table has the same columns), and each value is shown as a person reads it.
    fn new(
        table: &'static str,
        rows: Vec<serde_json::Map<String, serde_json::Value>>,
        zone: Zone,
    ) -> TableView {
        let columns = rows
            .first()
            .map(|r| r.iter().map(|(c, _)| heading(c)).collect())
            .unwrap_or_default();
        let rows = rows
            .into_iter()
            .map(|row| row.into_iter().map(|(_, v)| in_words(v, zone)).collect())
            .collect();
        TableView {
            table,
            columns,
            rows,
        }
    }
}

/// A column's name as a heading: `created_at` → "Created at".
fn heading(column: &str) -> String {
    let words = column.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// A stored value as a person reads it: instants to the minute in the organisation's zone,
/// flags as yes or no, nothing as a dash.
fn in_words(value: serde_json::Value, zone: Zone) -> String {
    match value {
        serde_json::Value::String(s) => match chrono::DateTime::parse_from_rfc3339(&s) {
            Ok(at) => zone.long(at.with_timezone(&chrono::Utc)),
            Err(_) => s,
        },
        serde_json::Value::Bool(true) => "yes".into(),
        serde_json::Value::Bool(false) => "no".into(),
        serde_json::Value::Null => "—".into(),
        other => other.to_string(),
    }
}

pub struct KindView {
    pub name: &'static str,
    pub purpose: &'static str,
    pub basis: &'static str,
    pub visible_to: &'static str,
    pub tables: Vec<TableView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/data.html")]
pub struct DataPage {
    ctx: PageCtx,
    generated_at: String,
    kinds: Vec<KindView>,
}

/// `GET /account/data`: the same export as a readable page.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
) -> Result<DataPage, AppError> {
    let export = own_export(&state, &user, &address, "page").await?;
    let kinds = export
        .kinds
        .into_iter()
        .map(|k| KindView {
            name: k.name,
            purpose: k.purpose,
            basis: k.basis,
            visible_to: k.visible_to,
            tables: k
                .tables
                .into_iter()
                .map(|(table, rows)| TableView::new(table, rows, ctx.zone))
                .collect(),
        })
        .collect();
    let generated_at = in_words(serde_json::Value::String(export.generated_at), ctx.zone);
    Ok(DataPage {
        ctx,
        generated_at,
        kinds,
    })
}

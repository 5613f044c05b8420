//! The email delivery log (admins): what the outbox holds and how each email fared. Bodies are
//! never shown: they can carry single-use links and private content.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use flipside_core::policy;
use flipside_store::OutboxEmail;

#[derive(Template, WebTemplate)]
#[template(path = "admin/emails.html")]
pub struct EmailsPage {
    ctx: PageCtx,
    emails: Vec<OutboxEmail>,
    transport: String,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<EmailsPage, AppError> {
    allow(policy::email_log(&user.actor))?;
    let transport = match &state.settings.smtp_url {
        Some(_) => "an SMTP server".to_string(),
        None => format!(
            "files in {} (no SMTP server is configured)",
            state.settings.mail_sink_dir().display()
        ),
    };
    Ok(EmailsPage {
        ctx,
        emails: state.store.recent_emails(500).await?,
        transport,
    })
}

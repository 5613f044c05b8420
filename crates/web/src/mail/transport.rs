//! Where messages go: an SMTP server in production, files on disk in development and tests.
use crate::settings::Settings;
use anyhow::Context;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// Why a message was not sent.
#[derive(Debug)]
pub enum SendError {
    /// Worth trying again later (the server is unreachable, or answered 4xx).
    Transient(String),
    /// Will fail again (the server refused the message or the address).
    Permanent(String),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per outbox row in this directory. lettre's own file transport names
    /// files by a random id; naming them by the row's id instead keeps "one row, one file"
    /// visible, which is what development and the tests check.
    Files(PathBuf),
}

/// Sends messages from the configured sender through the configured transport.
pub struct Mailer {
    pub from: Mailbox,
    transport: Transport,
}

impl Mailer {
    /// SMTP when `smtp_url` is set, otherwise files in `mail_dir`.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .with_context(|| format!("mail_from '{}' is not a mailbox", settings.mail_from))?;
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.0)
                    .context("smtp_url is not a usable SMTP URL")?
                    .build(),
            ),
            None => Transport::Files(settings.mail_sink_dir()),
        };
        Ok(Mailer { from, transport })
    }

    /// A description for the start-up log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".into(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, outbox_id: i64, message: Message) -> Result<(), SendError> {
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Transient(e.to_string())),
            },
            Transport::Files(dir) => {
                let io = |e: std::io::Error| {
                    SendError::Transient(format!("writing the email file: {e}"))
                };
                tokio::fs::create_dir_all(dir).await.map_err(io)?;
                let path = dir.join(format!("{outbox_id:08}.eml"));
                let partial = dir.join(format!("{outbox_id:08}.eml.partial"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(io)?;
                tokio::fs::rename(&partial, &path).await.map_err(io)
            }
        }
    }
}

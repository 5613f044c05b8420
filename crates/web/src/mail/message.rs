//! An outbox row as an RFC 5322 message.
use flipside_store::OutboxEmail;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};

/// Builds the message for an outbox row. The Message-ID is derived from the row's dedup key,
/// so a receiving system sees the same id should a message ever arrive twice.
///
/// A row that cannot make a valid message is an error, never a panic: a name or subject with
/// a line break (which would forge headers) is refused here, and anything the mail library
/// might still panic on is caught, so one bad row cannot stop the worker.
pub fn build_message(from: &Mailbox, email: &OutboxEmail) -> Result<Message, String> {
    for (field, value) in [("name", &email.to_name), ("subject", &email.subject)] {
        if value.chars().any(char::is_control) {
            return Err(format!(
                "the recipient's {field} contains a line break or another control character"
            ));
        }
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(from, email))).unwrap_or_else(
        |_| Err("the message could not be built (the mail library panicked)".into()),
    )
}

fn build(from: &Mailbox, email: &OutboxEmail) -> Result<Message, String> {
    let address = email
        .to_address
        .parse()
        .map_err(|e| format!("'{}' is not an email address: {e}", email.to_address))?;
    let name = (!email.to_name.trim().is_empty()).then(|| email.to_name.trim().to_string());
    let to = Mailbox::new(name, address);
    let id = hex::encode(&Sha256::digest(email.dedup_key.as_bytes())[..16]);
    let domain = from.email.domain().to_string();
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{id}@{domain}>")));
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(email.body_text.clone());
    let built = match &email.calendar {
        None => builder.singlepart(text),
        Some(calendar) => {
            let kind = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                .map_err(|e| e.to_string())?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(text)
                    .singlepart(Attachment::new("meeting.ics".into()).body(calendar.clone(), kind)),
            )
        }
    };
    built.map_err(|e| e.to_string())
}

//! An outbox row as an RFC 5322 message.
use flipside_store::OutboxEmail;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};

/// Builds the message for an outbox row. The Message-ID is derived from the row's dedup key,
/// so a receiving system sees the same id should a message ever arrive twice.
pub fn build_message(from: &Mailbox, email: &OutboxEmail) -> Result<Message, String> {
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

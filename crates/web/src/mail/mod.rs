//! Sending the emails queued in the outbox (SPEC §3.4).
//!
//! Every email's words are in [`messages`]; an operation queues it with `Tx::enqueue_email`, in
//! the transaction of the operation that causes it (the outbox pattern). The worker here wakes every few seconds, claims each due email (so no two
//! workers send the same one), hands it to the transport, and records the outcome: sent; or a
//! transient failure, retried with exponential back-off; or a permanent one (a refused
//! address, too many attempts), given up and kept with its error for the operator. Before
//! each pass it queues the reminders that have come due.
mod message;
pub mod messages;
mod reminders;
mod transport;
mod worker;

pub use message::build_message;
pub use reminders::{MEETING_REMINDER_AHEAD, queue_meeting_reminders};
pub use transport::Mailer;
pub use worker::{CLAIM_LEASE, Delivery, MAX_ATTEMPTS, backoff, deliver_due, spawn_worker};

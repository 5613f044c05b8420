//! Webhooks (issue 16): what operations record when something happens, and the worker that
//! POSTs it to the organisation's subscribed endpoints.
//!
//! An operation calls [`record`] with an [`Event`] inside its own transaction, beside its audit
//! entry and emails: the event is sent exactly when the operation commits. [`deliver_due`]
//! claims due deliveries (see `flipside_store` for how two instances never take the same one),
//! POSTs each as JSON signed with the subscription's secret, and records the outcome: delivered
//! on a 2xx answer; otherwise retried with the email worker's back-off until
//! [`MAX_ATTEMPTS`], then given up, with its last error shown to administrators. A target
//! that is not a public address (after resolving its name, and pinned to what was checked:
//! see `target`) is refused and given up at once, unless the deployment allows private
//! targets (`webhooks.allow_private_targets`).
//!
//! Each request carries:
//! - `Flipside-Event`: the event's name (`meeting.confirmed`);
//! - `Flipside-Delivery`: the delivery's id, the same on every retry, so a receiver can drop
//!   a repeat;
//! - `Flipside-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the
//!   secret>`; a receiver recomputes it and refuses an old `t` (replays).
mod events;
mod sign;
mod target;
mod worker;

pub use events::{Event, record};
pub use sign::{signature_header, verify};
pub use worker::{CLAIM_LEASE, Client, Delivery, MAX_ATTEMPTS, client, deliver_due, spawn_worker};

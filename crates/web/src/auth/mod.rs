//! Who is asking: sessions, API tokens, CSRF protection, passwords and client addresses.
pub mod csrf;
pub mod password;
pub mod session;

pub use csrf::CsrfToken;
pub use session::{ApiUser, ClientAddress, CurrentUser, MaybeUser};

//! Signing in (local accounts and single sign-on) and the account page.
pub mod account;
pub mod consents;
pub mod data;
pub mod email_link;
pub mod password;
pub mod sign_in;
pub mod sso;

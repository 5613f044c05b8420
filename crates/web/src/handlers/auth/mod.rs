//! Signing in (local accounts and single sign-on) and the account page.
pub mod account;
pub mod sign_in;
pub mod sso;

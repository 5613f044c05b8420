//! flipside's web interface: server-rendered pages that work without JavaScript, the JSON API
//! under `/api/v1`, sign-in (local accounts and OpenID Connect), and operations endpoints.
//!
//! Map: [`router`] lists every route; `handlers/<area>/<action>.rs` hold the handlers with their
//! template structs (templates in `templates/<area>/`); [`auth`] says who is asking and guards
//! forms against CSRF; every access decision calls `flipside_core::policy`.
#![forbid(unsafe_code)]

pub mod annual_report;
pub mod app;
pub mod auth;
pub mod clock;
pub mod demo;
pub mod each_request;
pub mod error;
pub mod handlers;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod multipart;
pub mod oidc;
pub mod operations;
pub mod page;
pub mod request_memo;
pub mod router;
pub mod security;
pub mod settings;
pub mod state;
pub mod webhooks;

pub use app::Application;
pub use settings::Settings;

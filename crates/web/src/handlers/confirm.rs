//! The page that asks before a change that cannot be undone, or that emails people: it says
//! what the change will do, and a button posts it (no JavaScript: a GET page, a POST button).
use crate::page::PageCtx;
use askama::Template;
use askama_web::WebTemplate;

#[derive(Template, WebTemplate)]
#[template(path = "confirm/confirm.html")]
pub struct ConfirmPage {
    pub ctx: PageCtx,
    /// The question, as heading and title: "Archive Reverse Mentoring?"
    pub title: String,
    /// The page the change is about, and the way back to it.
    pub back_href: String,
    pub back_label: String,
    /// What the change will do, one plain sentence each ("This emails 26 people.").
    pub effects: Vec<String>,
    /// Where the button posts, with the fields it carries.
    pub action: String,
    pub hidden: Vec<(String, String)>,
    /// The button's words: the change itself ("Archive the scheme").
    pub button: String,
    /// Why the change cannot be made now, shown instead of the button.
    pub refused: Option<String>,
}

//! The home page: what each signed-in person can do, by role; a welcome for visitors.
use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use flipside_core::policy;
use flipside_core::role::Role;
use flipside_store::{OpenCall, OpenSurvey, Scheme};

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    ctx: PageCtx,
    org_name: String,
    signed_in: bool,
    roles: Vec<&'static str>,
    /// Schemes this person runs.
    coordinating: Vec<Scheme>,
    can_create_scheme: bool,
    is_admin: bool,
    takes_part: bool,
    other_roles: Vec<&'static str>,
    /// The pairs this person is in: (pair id, partner, scheme and year, status).
    pairs: Vec<(i64, String, String, &'static str)>,
    /// Cycles taking applications (SPEC §3.2): open to every signed-in person.
    open_calls: Vec<OpenCall>,
    /// The person's own surveys open now (SPEC §3.5).
    open_surveys: Vec<OpenSurvey>,
    /// How many reflective chats were recorded with this person (their own view, issue 11).
    own_chats: usize,
    /// The person's own applications and their decisions: (cycle id, scheme and year, status).
    applications: Vec<(i64, String, &'static str)>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    MaybeUser(user): MaybeUser,
) -> Result<HomePage, AppError> {
    let org_name = state
        .store
        .organisation()
        .await?
        .map(|o| o.name)
        .unwrap_or_else(|| "flipside".into());
    let mut page = HomePage {
        ctx,
        org_name,
        signed_in: user.is_some(),
        roles: vec![],
        coordinating: vec![],
        can_create_scheme: false,
        is_admin: false,
        takes_part: false,
        other_roles: vec![],
        open_calls: vec![],
        pairs: vec![],
        open_surveys: vec![],
        own_chats: 0,
        applications: vec![],
    };
    if let Some(u) = user {
        let mut roles: Vec<Role> = u.actor.grants.iter().map(|g| g.role).collect();
        roles.sort();
        roles.dedup();
        page.roles = roles.iter().map(|r| r.label()).collect();
        page.coordinating = state
            .store
            .schemes()
            .await?
            .into_iter()
            .filter(|s| u.actor.coordinates(s.id) && s.archived_at.is_none())
            .collect();
        page.can_create_scheme = policy::scheme(&u.actor, None, policy::Action::Create);
        page.is_admin = u.actor.has(Role::Admin);
        page.open_calls = state.store.open_calls().await?;
        for p in state.store.pairs_of_user(u.id()).await? {
            let cycle = state.store.cycle(p.cycle_id).await?;
            let scheme = state.store.scheme(cycle.scheme_id).await?;
            let partner = p
                .partner_of(u.id())
                .map(|(_, n)| n.to_string())
                .unwrap_or_default();
            page.pairs.push((
                p.id,
                partner,
                format!("{} {}", scheme.name, cycle.year()),
                p.status().label(),
            ));
        }
        page.open_surveys = state
            .store
            .open_surveys_of(u.id(), state.today().await?)
            .await?;
        page.own_chats = state.store.chats_with(u.id()).await?.len();
        page.applications = state
            .store
            .applications_of_user(u.id())
            .await?
            .into_iter()
            .map(|a| {
                let year =
                    flipside_core::cycle::AcademicYear::from_start_year(a.academic_year as i32);
                (
                    a.cycle_id,
                    format!("{} {year}", a.scheme_name),
                    a.status.get().label(),
                )
            })
            .collect();
        page.takes_part =
            u.actor.has(Role::Mentor) || u.actor.has(Role::Mentee) || !page.pairs.is_empty();
        page.other_roles = roles
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    Role::Tutor
                        | Role::Student
                        | Role::StudentLead
                        | Role::Researcher
                        | Role::SchoolLead
                )
            })
            .map(|r| r.label())
            .collect();
    }
    Ok(page)
}

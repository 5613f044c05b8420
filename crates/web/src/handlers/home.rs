//! The home page (issue 14): for each role a to-do list, each item a count that links to the
//! page where it is dealt with, and only what applies to the person; a welcome for visitors.
//!
//! The counts come from aggregate SQL, a few queries for the whole page however many cycles,
//! pairs and people lie behind them (issue 15 measures this page under load).
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{DateTime, Utc};
use flipside_core::policy::{self, Action, SchemeRef};
use flipside_core::progress::{StaleWeeks, Step};
use flipside_core::role::Role;
use flipside_store::{CycleProgress, OpenCall, OpenSurvey, Organisation, PairToDo, Scheme};

/// One to-do item: its words (the count in them) and the page of its cycle where it is dealt
/// with, `/cycles/{cycle_id}/{page}`, written out as the page renders (a `format!` for each
/// item's address was 3 % of the home page's instructions, issue 15).
pub struct Item {
    pub text: String,
    pub cycle_id: i64,
    /// The page under the cycle's address ("applications", "pairs#nudge").
    pub page: &'static str,
}

impl Item {
    /// The item for what waits in a cycle, if the person may open the page where it is dealt
    /// with (the policy the page itself asks).
    pub fn of(
        actor: &policy::Actor,
        cycle_id: i64,
        scheme_id: i64,
        waiting: &flipside_core::progress::ToDo,
    ) -> Option<Item> {
        let (allowed, page) = match waiting.step {
            Step::Applications => (
                policy::review_applications(actor, scheme_id),
                "applications",
            ),
            Step::Invitations => (policy::invite_staff(actor, scheme_id), "invitations"),
            Step::Matching => (policy::match_pairs(actor, scheme_id), "matching"),
            Step::Nudge => (policy::match_pairs(actor, scheme_id), "pairs#nudge"),
            Step::Meetings => (policy::pair_hours(actor, scheme_id), "meetings"),
            Step::Concerns => (policy::concerns(actor, scheme_id), "concerns"),
            Step::Surveys => (policy::manage_surveys(actor, scheme_id), "surveys"),
        };
        allowed.then(|| Item {
            text: waiting.text.clone(),
            cycle_id,
            page,
        })
    }
}

/// A cycle under way of a scheme the person runs, with what waits in it.
pub struct CycleToDo {
    pub id: i64,
    pub year: flipside_core::cycle::AcademicYear,
    pub state: flipside_core::cycle::CycleState,
    pub items: Vec<Item>,
}

/// A scheme the person runs, with its cycles under way.
pub struct SchemeToDo {
    pub scheme: Scheme,
    pub cycles: Vec<CycleToDo>,
    /// The person may start the scheme's next cycle (shown when none is under way).
    pub can_start_cycle: bool,
}

/// One of the person's pairs, with what waits for them in it.
pub struct PairCard {
    pub pair: PairToDo,
    pub active: bool,
    pub status: &'static str,
    pub title: String,
}

/// A link with its words, for the cards that only lead somewhere.
pub struct Link {
    pub href: &'static str,
    pub text: &'static str,
}

/// Personal tutoring, as far as it concerns the person.
#[derive(Default)]
pub struct TutoringCard {
    /// A tutor: (tutees this year, of them without a contact by their School's date).
    pub tutees: Option<(usize, usize)>,
    /// A tutee: their tutor this year, if they have one (`Some(None)`: none yet).
    pub my_tutor: Option<Option<String>>,
    /// A School lead: requests for a change of tutor waiting for them.
    pub change_requests: Option<usize>,
    /// The tutoring dashboard (Student APT Leads, School leads, and whoever sees it).
    pub dashboard: bool,
    /// Running design sprints (Student APT Leads).
    pub sprints: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    ctx: PageCtx,
    org_name: String,
    signed_in: bool,
    roles: Vec<&'static str>,
    /// Schemes this person runs, with what waits in each cycle under way.
    coordinating: Vec<SchemeToDo>,
    can_create_scheme: bool,
    /// The person holds a mentoring role but is in no pair yet.
    awaiting_pair: bool,
    pairs: Vec<PairCard>,
    /// Cycles taking applications, offered only to people who could apply (students).
    open_calls: Vec<OpenCall>,
    /// The person's own surveys open now (SPEC §3.5).
    open_surveys: Vec<OpenSurvey>,
    /// How many reflective chats were recorded with this person (their own view, issue 11).
    own_chats: usize,
    /// The person's own applications and their decisions: (cycle id, scheme and year, status).
    applications: Vec<(i64, String, &'static str)>,
    tutoring: TutoringCard,
    /// The person evaluates a scheme (researchers).
    researches: bool,
    /// Administration pages the person may open.
    admin_links: Vec<Link>,
}

impl HomePage {
    fn visitor(ctx: PageCtx, org_name: String) -> HomePage {
        HomePage {
            ctx,
            org_name,
            signed_in: false,
            roles: vec![],
            coordinating: vec![],
            can_create_scheme: false,
            awaiting_pair: false,
            pairs: vec![],
            open_calls: vec![],
            open_surveys: vec![],
            own_chats: 0,
            applications: vec![],
            tutoring: TutoringCard::default(),
            researches: false,
            admin_links: vec![],
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    MaybeUser(user): MaybeUser,
) -> Result<HomePage, AppError> {
    let org = state.organisation().await?;
    let org_name = org
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_else(|| "flipside".into());
    let Some(u) = user else {
        return Ok(HomePage::visitor(ctx, org_name));
    };
    let zone = ctx.zone;
    let now = state.clock.now();
    let today = state.clock.today_in(zone);
    let mut page = HomePage::visitor(ctx, org_name);
    page.signed_in = true;
    let mut roles: Vec<Role> = u.actor.grants.iter().map(|g| g.role).collect();
    roles.sort();
    roles.dedup();
    page.roles = roles.iter().map(|r| r.label()).collect();
    page.can_create_scheme = policy::scheme(&u.actor, None, Action::Create);
    if u.actor.has(Role::Coordinator) {
        let stale = stale_weeks(org.as_ref());
        page.coordinating =
            coordinating(&state, &u, stale.cutoff(today, zone), now, today, stale).await?;
    }
    page.pairs = state
        .store
        .pairs_to_do(u.id(), now)
        .await?
        .into_iter()
        .map(|p| {
            let status = p.status.get();
            PairCard {
                active: status == flipside_store::PairStatus::Active,
                status: status.label(),
                title: format!("{} {}", p.scheme_name, p.year()),
                pair: p,
            }
        })
        .collect();
    page.awaiting_pair =
        page.pairs.is_empty() && (u.actor.has(Role::Mentor) || u.actor.has(Role::Mentee));
    page.open_surveys = state.store.open_surveys_of(u.id(), today).await?;
    page.own_chats = state.store.chat_count_with(u.id()).await?;
    page.applications = state
        .store
        .applications_of_user(u.id())
        .await?
        .into_iter()
        .map(|a| {
            let year = flipside_core::cycle::AcademicYear::from_start_year(a.academic_year as i32);
            (
                a.cycle_id,
                format!("{} {year}", a.scheme_name),
                a.status.get().label(),
            )
        })
        .collect();
    if policy::offered_student_calls(&u.actor) {
        // A call the person has answered, or whose cycle they are already paired in, is not
        // offered again.
        let taken: Vec<i64> = page
            .applications
            .iter()
            .map(|a| a.0)
            .chain(page.pairs.iter().map(|p| p.pair.cycle_id))
            .collect();
        page.open_calls = state
            .store
            .open_calls()
            .await?
            .into_iter()
            .filter(|c| !taken.contains(&c.cycle_id))
            .collect();
    }
    page.tutoring = tutoring_card(&state, &u, page.ctx.tutoring, today).await?;
    page.researches = policy::evaluates_schemes(&u.actor);
    page.admin_links = admin_links(&u.actor);
    Ok(page)
}

/// The organisation's stale-pairs setting, or its default (before set-up, or a stored value out
/// of range).
pub(crate) fn stale_weeks(org: Option<&Organisation>) -> StaleWeeks {
    org.and_then(|o| StaleWeeks::from_stored(o.stale_pair_weeks))
        .unwrap_or_default()
}

/// The schemes the person runs, each with its cycles under way and what waits in them: two
/// queries for every cycle of the organisation, kept to those the person runs.
async fn coordinating(
    state: &AppState,
    u: &CurrentUser,
    stale_cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
    today: chrono::NaiveDate,
    stale: StaleWeeks,
) -> Result<Vec<SchemeToDo>, AppError> {
    let runs =
        |scheme_id| policy::scheme(&u.actor, Some(SchemeRef { id: scheme_id }), Action::Edit);
    let schemes: Vec<Scheme> = state
        .store
        .schemes()
        .await?
        .into_iter()
        .filter(|s| runs(s.id) && s.archived_at.is_none())
        .collect();
    if schemes.is_empty() {
        return Ok(vec![]);
    }
    let cycles: Vec<CycleProgress> = state
        .store
        .cycles_in_progress(now, stale_cutoff)
        .await?
        .into_iter()
        .filter(|c| runs(c.scheme_id))
        .collect();
    let waves = state.store.open_waves(today).await?;
    Ok(schemes
        .into_iter()
        .map(|scheme| {
            let cycles = cycles
                .iter()
                .filter(|c| c.scheme_id == scheme.id)
                .map(|c| CycleToDo {
                    id: c.cycle_id,
                    year: c.year(),
                    state: c.state(),
                    // What waits, as the cycle page's stages list it (worked out once for
                    // the same figures, `StageReports`), in the order of the year.
                    items: state
                        .stage_reports
                        .of(c.cycle_id, c.state(), &c.figures(&waves), stale)
                        .iter()
                        .flat_map(|stage| &stage.to_do)
                        .filter_map(|i| Item::of(&u.actor, c.cycle_id, c.scheme_id, i))
                        .collect(),
                })
                .collect();
            SchemeToDo {
                can_start_cycle: policy::cycle(
                    &u.actor,
                    policy::CycleRef {
                        id: 0,
                        scheme_id: scheme.id,
                    },
                    Action::Create,
                ),
                scheme,
                cycles,
            }
        })
        .collect())
}

/// What personal tutoring asks of the person, by who they are in it.
async fn tutoring_card(
    state: &AppState,
    u: &CurrentUser,
    me: policy::TutoringSelf,
    today: chrono::NaiveDate,
) -> Result<TutoringCard, AppError> {
    let mut card = TutoringCard {
        dashboard: policy::tutoring_dashboard_of_some_school(&u.actor)
            && (u.actor.has(Role::StudentLead) || u.actor.has(Role::SchoolLead)),
        sprints: policy::sprint_run(&u.actor) && u.actor.has(Role::StudentLead),
        ..TutoringCard::default()
    };
    if !policy::tutees(me)
        && !policy::own_tutoring_profile(me)
        && !policy::tutor_change_queue(&u.actor)
    {
        return Ok(card);
    }
    let year = flipside_core::cycle::AcademicYear::containing(today);
    if let (true, Some(tutor_id)) = (policy::tutees(me), me.tutor_id) {
        let tutees = crate::handlers::tutoring::records::tutees_of(state, tutor_id, today).await?;
        card.tutees = Some(tutees.counts());
    }
    if let (true, Some(student_id)) = (policy::own_tutoring_profile(me), me.student_id) {
        card.my_tutor = Some(
            state
                .store
                .tutor_of_record(student_id, i64::from(year.start_year()))
                .await?
                .map(|t| t.name),
        );
    }
    if policy::tutor_change_queue(&u.actor) {
        card.change_requests = Some(
            state
                .store
                .pending_change_requests()
                .await?
                .iter()
                .filter(|r| policy::decide_tutor_change(&u.actor, r.school_id))
                .count(),
        );
    }
    Ok(card)
}

/// The administration pages the person may open, each asked of the policy its page asks.
fn admin_links(actor: &policy::Actor) -> Vec<Link> {
    let mut links = Vec::new();
    if policy::people(actor, Action::View) {
        links.push(Link {
            href: "/admin/people",
            text: "People and roles",
        });
    }
    if policy::organisation(actor, Action::Edit) {
        links.push(Link {
            href: "/admin/organisation",
            text: "Organisation, Schools, identity labels and settings",
        });
    }
    if policy::email_log(actor) {
        links.push(Link {
            href: "/admin/emails",
            text: "Emails sent and waiting",
        });
    }
    if policy::webhooks(actor) {
        links.push(Link {
            href: "/admin/webhooks",
            text: "Webhooks: events sent to other systems",
        });
    }
    if policy::personal_data_admin(actor) {
        links.push(Link {
            href: "/admin/privacy",
            text: "Personal data: what is kept and for how long",
        });
    }
    if policy::audit_log(actor) {
        links.push(Link {
            href: "/admin/audit",
            text: "Audit log",
        });
    }
    links
}

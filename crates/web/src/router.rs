//! Every route, in one place.
use crate::handlers::admin::{audit, emails, organisation, people, population, privacy, webhooks};
use crate::handlers::auth::{account, consents, data, email_link, password, sign_in, sso};
use crate::handlers::cocreation::sprints;
use crate::handlers::evaluation::{cycle_instrument, instruments, results, surveys, waves};
use crate::handlers::mentoring::{
    actions, concerns, cycle_pairs, cycles, invitations, matching, meetings, pairs, plan,
    recruitment, schemes,
};
use crate::handlers::report::{self as report, download as report_download};
use crate::handlers::tutoring::{self, import};
use crate::handlers::{api, home, ops};
use crate::state::AppState;
use crate::{error, security};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};
use tower_http::catch_panic::{CatchPanic, CatchPanicLayer, ResponseForPanic};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{Trace, TraceLayer};

/// Every operation of the JSON API, as (method, path under `/api/v1`, handler). The API's
/// router is built from this table, and a test holds the OpenAPI document to it, so no
/// operation goes undocumented. Paths listed twice are merged into one route.
pub fn api_operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    // An area that keeps its own table (`api::<area>::operations()`) is appended after these:
    // `let mut ops = vec![..]; ops.extend(api::<area>::operations()); ops`.
    let mut ops = vec![
        (Method::GET, "/openapi.json", get(api::openapi)),
        (Method::GET, "/me", get(api::me::show)),
        (Method::GET, "/schemes", get(api::schemes::list)),
        (Method::POST, "/schemes", post(api::schemes::create)),
        (Method::GET, "/schemes/{id}", get(api::schemes::show)),
        (Method::GET, "/schemes/{id}/cycles", get(api::cycles::list)),
        (
            Method::POST,
            "/schemes/{id}/cycles",
            post(api::cycles::create),
        ),
        (Method::GET, "/cycles/{id}", get(api::cycles::show)),
        (
            Method::POST,
            "/cycles/{id}/transition",
            post(api::cycles::transition),
        ),
        (Method::GET, "/cycles/{id}/pairs", get(api::pairs::list)),
        (
            Method::POST,
            "/cycles/{id}/pairs/{pair}/end",
            post(api::pairs::end_early),
        ),
        (
            Method::GET,
            "/cycles/{id}/invitations",
            get(api::invitations::list),
        ),
        (
            Method::POST,
            "/cycles/{id}/invitations",
            post(api::invitations::create),
        ),
        (
            Method::POST,
            "/cycles/{id}/invitations/{invitation}/resend",
            post(api::invitations::resend),
        ),
        (
            Method::POST,
            "/pairs/{id}/meetings",
            post(api::meetings::propose),
        ),
        (
            Method::POST,
            "/meetings/{id}/respond",
            post(api::meetings::respond),
        ),
        (
            Method::POST,
            "/pairs/{id}/concerns",
            post(api::concerns::raise),
        ),
    ];
    ops.extend(api::webhooks::operations());
    ops.extend(api::applications::operations());
    ops.extend(api::invitations::operations());
    ops.extend(api::matching::operations());
    ops.extend(api::pairs::operations());
    ops.extend(api::meetings::operations());
    ops.extend(api::actions::operations());
    ops.extend(api::concerns::operations());
    ops.extend(api::surveys::operations());
    ops.extend(api::admin::operations());
    ops.extend(api::tutoring::operations());
    ops.extend(api::notes::operations());
    ops.extend(api::plan::operations());
    ops.extend(api::sprints::operations());
    ops.extend(api::tutoring_students::operations());
    ops.extend(api::research::operations());
    ops.extend(api::my_data::operations());
    ops.extend(api::chats::operations());
    ops.extend(api::quotes::operations());
    ops.extend(api::coding::operations());
    ops.extend(api::reports::operations());
    ops.extend(api::rematch::operations());
    ops.extend(api::survey_reminders::operations());
    ops
}

/// Every route, each with every request's steps ([`app`] wraps it whole).
fn router(state: AppState) -> Router {
    let api = api_operations()
        .into_iter()
        .fold(Router::new(), |api, (_, path, handler)| {
            api.route(path, handler)
        })
        // Each operation's token scope is checked here, for every route at once.
        .route_layer(from_fn_with_state(state.clone(), api::scopes::enforce))
        // Unknown paths and methods under /api/v1 answer problem details, not the HTML page.
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), api::idempotency::honour));

    Router::new()
        .route("/", get(home::show))
        .route("/sign-in", get(sign_in::show).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/sign-in/sso", get(sso::start))
        .route("/sign-in/sso/callback", get(sso::callback))
        .route("/sign-in/email", post(email_link::request))
        .route(
            "/sign-in/email/{token}",
            get(email_link::show).post(email_link::use_link),
        )
        .route(
            "/password/forgot",
            get(password::forgot).post(password::request_reset),
        )
        .route(
            "/password/set/{token}",
            get(password::show_set).post(password::submit_set),
        )
        .route("/schemes", get(schemes::list).post(schemes::create))
        .route("/schemes/new", get(schemes::new))
        .route("/schemes/archived", get(schemes::archived))
        .route("/schemes/{id}", get(schemes::show))
        .route(
            "/schemes/{id}/edit",
            get(schemes::edit).post(schemes::update),
        )
        .route(
            "/schemes/{id}/archive",
            get(schemes::archive_confirm).post(schemes::archive),
        )
        .route("/schemes/{id}/restore", post(schemes::restore))
        .route("/schemes/{id}/cycles/new", get(cycles::new))
        .route("/schemes/{id}/cycles", post(cycles::create))
        .route("/cycles/{id}", get(cycles::show))
        .route(
            "/cycles/{id}/advance",
            get(cycles::advance_confirm).post(cycles::advance),
        )
        .route("/cycles/{id}/results", get(results::show))
        .merge(report_routes("/cycles/{id}/report"))
        .merge(crate::handlers::qualitative::routes())
        .merge(report_routes("/years/{year}/report"))
        .route("/cycles/{id}/surveys", get(waves::show))
        .route("/cycles/{id}/instrument", get(cycle_instrument::show))
        .route(
            "/cycles/{id}/instrument/statements",
            post(cycle_instrument::add),
        )
        .route(
            "/cycles/{id}/instrument/statements/{code}/reword",
            post(cycle_instrument::reword),
        )
        .route(
            "/cycles/{id}/instrument/statements/{code}/retire",
            post(cycle_instrument::retire),
        )
        .route("/cycles/{id}/surveys/dates", post(waves::set_dates))
        .route("/cycles/{id}/surveys/{wave}/invite", post(waves::invite))
        .route("/cycles/{id}/surveys/{wave}/remind", post(waves::remind))
        .route(
            "/cycles/{id}/surveys/{wave}/reminders",
            post(waves::set_reminders),
        )
        .route(
            "/cycles/{id}/export/answers.csv",
            get(waves::export_answers),
        )
        .route(
            "/cycles/{id}/export/codebook.md",
            get(waves::export_codebook),
        )
        .route("/instruments", get(instruments::show))
        .route("/instruments/{id}/labels", post(instruments::set_labels))
        .route("/surveys", get(surveys::list))
        .route(
            "/surveys/{participant}/{wave}",
            get(surveys::show).post(surveys::answer),
        )
        .route(
            "/cycles/{id}/apply",
            get(recruitment::apply::show_call).post(recruitment::apply::apply),
        )
        .route("/cycles/{id}/my-application", get(recruitment::mine::mine))
        .route(
            "/cycles/{id}/my-application/consents/{kind}/withdraw",
            post(recruitment::withdraw_consent::withdraw_consent),
        )
        .route("/cycles/{id}/applications", get(recruitment::list::list))
        .route(
            "/cycles/{id}/applications/composition",
            get(recruitment::composition::composition),
        )
        .route(
            "/cycles/{id}/applications/{app_id}",
            get(recruitment::review::review),
        )
        .route(
            "/cycles/{id}/applications/{app_id}/decision",
            post(recruitment::decide::decide),
        )
        .route(
            "/cycles/{id}/invitations",
            get(invitations::list).post(invitations::create),
        )
        .route(
            "/cycles/{id}/invitations/{inv_id}/resend",
            post(invitations::resend),
        )
        .route(
            "/cycles/{id}/invitations/{inv_id}/cancel",
            get(invitations::cancel_confirm).post(invitations::cancel),
        )
        .route(
            "/cycles/{id}/invitations/list",
            post(invitations::invite_list),
        )
        .route("/invitations/answered", get(invitations::thanks))
        .route("/invitations/{token}", get(invitations::show_answer))
        .route("/invitations/{token}/accept", post(invitations::accept))
        .route("/invitations/{token}/decline", post(invitations::decline))
        .route("/cycles/{id}/matching", get(matching::show::show))
        .route(
            "/cycles/{id}/matching/settings",
            post(matching::settings::save_settings),
        )
        .route(
            "/cycles/{id}/matching/do-not-pair",
            post(matching::do_not_pair::add_do_not_pair),
        )
        .route(
            "/cycles/{id}/matching/do-not-pair/remove",
            post(matching::do_not_pair::remove_do_not_pair),
        )
        .route(
            "/cycles/{id}/matching/same-school",
            post(matching::same_school::allow),
        )
        .route(
            "/cycles/{id}/matching/same-school/remove",
            post(matching::same_school::remove),
        )
        .route(
            "/cycles/{id}/matching/publish",
            post(matching::publish::publish),
        )
        .route("/cycles/{id}/pairs", get(cycle_pairs::list))
        .route("/cycles/{id}/pairs/nudge", post(cycle_pairs::nudge))
        .route(
            "/cycles/{id}/pairs/{pair_id}/end",
            post(cycle_pairs::end_early),
        )
        .route(
            "/cycles/{id}/pairs/rematch/{person}",
            get(cycle_pairs::show_rematch).post(cycle_pairs::rematch),
        )
        .route("/cycles/{id}/meetings", get(meetings::cycle_hours))
        .route("/cycles/{id}/concerns", get(concerns::list))
        .route("/concerns/{id}/answer", post(concerns::answer))
        .route(
            "/schemes/{id}/you-said-we-did",
            get(actions::you_said_we_did),
        )
        .route("/pairs/{id}", get(pairs::show))
        .route("/pairs/{id}/agreement", post(pairs::accept_agreement))
        .route("/pairs/{id}/notes", post(pairs::add_note))
        .route("/pairs/{id}/notes/{note_id}/share", post(pairs::share_note))
        .route("/pairs/{id}/concerns", post(pairs::raise_concern))
        .route("/pairs/{id}/meetings", post(meetings::propose))
        .route("/pairs/{id}/actions", post(actions::raise))
        .route("/meetings/{id}/respond", post(meetings::respond))
        .route("/meetings/{id}/held", post(meetings::held))
        .route("/meetings/{id}/calendar.ics", get(meetings::ics))
        .route("/actions/{id}/status", post(actions::change_status))
        .route("/actions/{id}/evidence", post(actions::add_evidence))
        .route("/admin/people", get(people::list).post(people::create))
        .route("/admin/people/{id}", get(people::show))
        .route("/admin/people/{id}/roles", post(people::grant))
        .route("/admin/people/{id}/disable", post(people::disable))
        .route("/admin/people/{id}/enable", post(people::enable))
        .route(
            "/admin/people/{id}/roles/{grant_id}/revoke",
            post(people::revoke),
        )
        .route(
            "/admin/organisation",
            get(organisation::show).post(organisation::update_settings),
        )
        .route(
            "/admin/organisation/email-sign-in",
            post(organisation::set_email_sign_in),
        )
        .route(
            "/admin/organisation/faculties",
            post(organisation::add_faculty),
        )
        .route(
            "/admin/organisation/schools",
            post(organisation::add_school),
        )
        .route("/admin/organisation/labels", post(organisation::add_label))
        .route("/admin/emails", get(emails::show))
        .route(
            "/admin/webhooks",
            get(webhooks::show).post(webhooks::create),
        )
        .route("/admin/webhooks/{id}/pause", post(webhooks::pause))
        .route("/admin/webhooks/{id}/resume", post(webhooks::resume))
        .route("/admin/webhooks/{id}/delete", post(webhooks::delete))
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(webhooks::redeliver),
        )
        .route("/cycles/{id}/plan", get(plan::show).post(plan::update))
        .route(
            "/admin/organisation/population",
            get(population::show).post(population::update),
        )
        .route(
            "/admin/organisation/labels/{id}",
            post(organisation::set_label_active),
        )
        .route("/admin/audit", get(audit::show))
        .route("/admin/privacy", get(privacy::registry))
        .route("/admin/privacy/retention", get(privacy::retention))
        .route(
            "/admin/people/{id}/erase",
            get(privacy::preview).post(privacy::confirm),
        )
        .route("/admin/import", get(import::show).post(import::upload))
        .route("/tutoring/allocation", get(tutoring::allocation::show))
        .route("/tutoring/allocation/run", post(tutoring::allocation::run))
        .route(
            "/tutoring/allocation/move",
            post(tutoring::allocation::move_student),
        )
        .route(
            "/tutoring/allocation/publish",
            post(tutoring::allocation::publish),
        )
        .route(
            "/tutoring/schools/{id}/rules",
            get(tutoring::allocation::show_rules).post(tutoring::allocation::save_rules),
        )
        .route("/tutoring/dashboard", get(tutoring::dashboard::show))
        .route("/tutoring/tutees", get(tutoring::records::tutees))
        .route("/tutoring/me", get(tutoring::records::mine))
        .route("/tutoring/students/{id}", get(tutoring::records::student))
        .route(
            "/tutoring/contacts",
            post(tutoring::records::create_contact),
        )
        .route(
            "/tutoring/contacts/new",
            get(tutoring::records::new_contact),
        )
        .route("/tutoring/contacts/{id}", get(tutoring::records::contact))
        .route(
            "/sprints",
            get(sprints::list::list).post(sprints::create::create),
        )
        .route("/sprints/new", get(sprints::new::new))
        .route("/sprints/{id}", get(sprints::show::show))
        .route("/sprints/{id}/advance", post(sprints::advance::advance))
        .route("/sprints/{id}/items", post(sprints::add_item::add_item))
        .route(
            "/sprints/{id}/items/{item_id}/comments",
            post(sprints::comment::comment),
        )
        .route(
            "/sprints/{id}/items/{item_id}/support",
            post(sprints::support::support),
        )
        .route(
            "/sprints/{id}/items/{item_id}/promote",
            post(sprints::promote::promote),
        )
        .route(
            "/sprints/{id}/items/{item_id}/decision",
            post(sprints::decide::decide),
        )
        .route(
            "/sprints/{id}/items/{item_id}/status",
            post(sprints::set_status::set_status),
        )
        .route(
            "/tutoring/profile",
            get(tutoring::students::profile).post(tutoring::students::save_profile),
        )
        .route(
            "/tutoring/students/{id}/profile",
            get(tutoring::students::tutor_view),
        )
        .route(
            "/tutoring/change-request",
            get(tutoring::students::change_page).post(tutoring::students::request_change),
        )
        .route(
            "/tutoring/change-requests",
            get(tutoring::students::pending),
        )
        .route(
            "/tutoring/change-requests/{id}",
            post(tutoring::students::decide),
        )
        .route("/account", get(account::show))
        .route("/account/consents", get(consents::show))
        .route(
            "/account/consents/{invitation}/{kind}/{change}",
            post(consents::change),
        )
        .route("/account/data", get(data::page))
        .route("/account/data.json", get(data::json))
        .route("/privacy", get(data::notice))
        .route("/account/tokens", post(account::create_token))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/tokens/{token_id}/revoke",
            post(account::revoke_token),
        )
        .route("/static/app.css", get(security::stylesheet))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .nest("/api/v1", api)
        .fallback(security::not_found)
        // Every request's own steps, in order (`each_request`): the security headers, metrics,
        // the limits on requests and writes (they replace axum's own default body limit), the
        // CSRF guard, the sign-in and flash pages' steps, and the request's memo. After routing,
        // so that each step sees the route that matched; one layer, so that each route holds
        // one boxed service (`app` says why that counts).
        .layer(
            tower::ServiceBuilder::new()
                .layer(DefaultBodyLimit::disable())
                .layer(from_fn_with_state(
                    state.clone(),
                    crate::each_request::steps,
                )),
        )
        .with_state(state)
}

/// The application as the server runs it ([`app`]).
pub type App = CatchPanic<Trace<Router, SharedClassifier<ServerErrorsAsFailures>>, PanicPage>;

/// What answers a panic: [`error::panic_response`] (a type of its own, since a function
/// pointer's signature is too general for a connection's task to be sent between threads).
#[derive(Clone, Copy)]
pub struct PanicPage;

impl ResponseForPanic for PanicPage {
    type ResponseBody = axum::body::Body;

    fn response_for_panic(
        &mut self,
        panic: Box<dyn std::any::Any + Send + 'static>,
    ) -> axum::response::Response {
        error::panic_response(panic)
    }
}

/// The routes inside what wraps the whole application: the request's trace, and outermost a
/// panic in any handler or step answered with a 500 page and logged, instead of the connection
/// dropped. These two wrap the router once: laid on it with `Router::layer`, each would wrap
/// every route in a boxed service of its own, and each request cloned the stack of boxes
/// around its route (sixteen allocations, 2.5-4.7 % of a page's instructions; issue 15).
pub fn app(state: AppState) -> App {
    wrap(router(state))
}

/// What [`app`] lays around the routes.
pub(crate) fn wrap(routes: Router) -> App {
    tower::ServiceBuilder::new()
        .layer(CatchPanicLayer::custom(PanicPage))
        .layer(TraceLayer::new_for_http())
        .service(routes)
}

/// The annual report's routes under `base` (a cycle's or an academic year's report): the same
/// handlers serve both, reading which report from the path (`handlers::report::ReportAt`).
fn report_routes(base: &str) -> Router<AppState> {
    Router::new()
        .route(base, get(report::show::show).post(report::show::save))
        .route(
            &format!("{base}/preview"),
            get(report_download::preview::<false>),
        )
        .route(
            &format!("{base}/preview.pdf"),
            get(report_download::preview::<true>),
        )
        .route(&format!("{base}/publish"), post(report::publish::publish))
        .route(
            &format!("{base}/versions/{{number}}/report.html"),
            get(report_download::version::<false>),
        )
        .route(
            &format!("{base}/versions/{{number}}/report.pdf"),
            get(report_download::version::<true>),
        )
}

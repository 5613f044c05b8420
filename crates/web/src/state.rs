//! What every handler can reach.
use crate::clock::Clock;
use crate::error::AppError;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::oidc::OidcProvider;
use crate::settings::Settings;
use chrono::NaiveDate;
use flipside_core::local_time::Zone;
use flipside_store::Store;
use std::ops::Deref;
use std::sync::Arc;

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The fields behind [`AppState`].
pub struct Inner {
    /// The database.
    pub store: Store,
    /// Validated settings.
    pub settings: Settings,
    /// Key for signing CSRF tokens (the instance secret stored in the database, so that every
    /// server process behind a load balancer agrees).
    pub csrf_key: Vec<u8>,
    /// The configured OpenID Connect provider, discovered at start-up.
    pub oidc: Option<OidcProvider>,
    /// Prometheus registry and request counters.
    pub metrics: Metrics,
    /// The one clock: every handler and job asks it for now and today.
    pub clock: Clock,
    /// Requests in flight and each client's allowance of writes, in this process.
    pub limits: Limits,
    /// Each cycle's results page's figures, by cycle and the organisation's disclosure setting
    /// (its preset and smallest cell), kept while the answers and the rows behind them are
    /// unchanged ([`flipside_store::Store::evaluation_version`]).
    pub results: flipside_store::VersionCache<
        (i64, String, i64),
        crate::handlers::evaluation::results::ResultsFigures,
    >,
    /// The lower part of each cycle's page (its history and meeting plan) by cycle and time
    /// zone, kept while the cycles and people's names are unchanged
    /// ([`flipside_store::Store::cycle_record_version`]).
    pub cycle_records: flipside_store::VersionCache<
        (i64, &'static str),
        crate::handlers::mentoring::cycles::CycleRecord,
    >,
    /// Each cycle's stage reports as last worked out, with what they came from.
    pub stage_reports: crate::handlers::mentoring::cycles::StageReports,
    /// Each tutor's tutees by year and day, kept while the tutoring records and the Schools are
    /// unchanged ([`flipside_store::Store::tutoring_dashboard_version`]).
    pub tutees: flipside_store::VersionCache<
        (i64, i32, NaiveDate),
        crate::handlers::tutoring::records::TuteesTable,
    >,
    /// The tutoring dashboard as each set of Schools sees it, kept while the tutoring records
    /// and the Schools are unchanged ([`flipside_store::Store::tutoring_dashboard_version`]).
    pub dashboards: flipside_store::VersionCache<
        crate::handlers::tutoring::dashboard::DashboardKey,
        crate::handlers::tutoring::dashboard::Figures,
    >,
}

impl AppState {
    pub fn new(inner: Inner) -> AppState {
        AppState(Arc::new(inner))
    }

    /// The organisation's time zone, read where it is kept (so that every server process
    /// agrees the moment an administrator changes it).
    /// Read once per page: a `GET` remembers it for the rest of the request
    /// ([`crate::request_memo`]).
    pub async fn zone(&self) -> Result<Zone, AppError> {
        if let Some(zone) = crate::request_memo::zone() {
            return Ok(zone);
        }
        let zone = self.store.zone().await?;
        crate::request_memo::remember_zone(zone);
        Ok(zone)
    }

    /// The organisation (`None`: not set up yet), read once a read-only request.
    pub async fn organisation(&self) -> Result<Option<flipside_store::Organisation>, AppError> {
        if let Some(organisation) = crate::request_memo::organisation() {
            return Ok(organisation);
        }
        let organisation = self.store.organisation().await?;
        crate::request_memo::remember_organisation(organisation.clone());
        Ok(organisation)
    }

    /// Today, as the organisation's calendar reads it: the date every rule that decides by
    /// date uses (survey waves, no-contact-by dates, academic years).
    pub async fn today(&self) -> Result<NaiveDate, AppError> {
        Ok(self.clock.today_in(self.zone().await?))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

//! Building and running the application: the same code path for `flipside serve`, `flipside
//! demo` and the test suite (which binds port 0 and uses a fresh database).
use crate::clock::Clock;
use crate::mail::{Mailer, spawn_worker};
use crate::metrics::Metrics;
use crate::oidc::OidcProvider;
use crate::settings::Settings;
use crate::state::{AppState, Inner};
use anyhow::Context;
use flipside_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A bound, ready-to-serve flipside.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    mailer: Arc<Mailer>,
    /// Whether [`Application::run_until`] starts the email worker (tests drain the outbox
    /// themselves, one explicit pass at a time).
    email_worker: bool,
}

impl Application {
    /// Migrates the store, discovers the SSO provider if configured, and binds the listener.
    pub async fn build(settings: Settings, store: Store) -> anyhow::Result<Application> {
        store
            .migrate()
            .await
            .context("applying database migrations")?;
        let secret = store
            .instance_secret()
            .await
            .context("reading the instance secret")?;
        let mailer = Arc::new(Mailer::from_settings(&settings)?);
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("listening on {}", settings.listen))?;
        let oidc = match &settings.oidc {
            Some(o) => {
                let redirect = settings
                    .public_url
                    .join("sign-in/sso/callback")
                    .context("building the SSO redirect URL")?;
                Some(OidcProvider::discover(o, redirect).await.with_context(|| {
                    format!("discovering the OpenID provider at {}", o.issuer_url)
                })?)
            }
            None => None,
        };
        let state = AppState::new(Inner {
            store,
            settings,
            csrf_key: secret.into_bytes(),
            oidc,
            metrics: Metrics::default(),
            clock: Clock::system(),
        });
        Ok(Application {
            listener,
            state,
            mailer,
            email_worker: true,
        })
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The transport the email worker sends with.
    pub fn mailer(&self) -> Arc<Mailer> {
        self.mailer.clone()
    }

    /// Serves without the email worker: queued emails wait in the outbox until the caller
    /// runs [`crate::mail::deliver_due`] itself (the test suite, which must not race a worker
    /// it cannot see).
    pub fn without_email_worker(mut self) -> Application {
        self.email_worker = false;
        self
    }

    /// Serves, and sends queued emails, until `shutdown` completes; then finishes the requests
    /// in flight and stops the email worker between two emails.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let store = self.state.store.clone();
        tracing::info!(transport = %self.mailer.describe(), "sending emails");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let interval = Duration::from_secs(self.state.settings.mail_poll_seconds.unsigned_abs());
        let worker = self.email_worker.then(|| {
            spawn_worker(
                store.clone(),
                self.mailer,
                self.state.settings.public_url.clone(),
                interval,
                self.state.settings.retention.clone(),
                stopped,
            )
        });
        let app =
            crate::router::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")?;
        let _ = stop.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        store.close().await;
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

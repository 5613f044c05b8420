//! Building and running the application: the same code path for `flipside serve`, `flipside
//! demo` and the test suite (which binds port 0 and uses a fresh database).
use crate::clock::Clock;
use crate::limits::Limits;
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
    /// Whether [`Application::run_until`] starts the email and webhook workers (tests drain
    /// them themselves, one explicit pass at a time).
    email_worker: bool,
}

impl Application {
    /// Migrates the store, discovers the SSO provider if configured, and binds the listener.
    pub async fn build(settings: Settings, store: Store) -> anyhow::Result<Application> {
        store
            .migrate()
            .await
            .context("applying database migrations")?;
        store
            .optimize_if_never_analysed()
            .await
            .context("gathering the query planner's statistics")?;
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
            limits: Limits::new(&settings),
            settings,
            csrf_key: secret.into_bytes(),
            oidc,
            metrics: Metrics::default(),
            clock: Clock::system(),
            results: Default::default(),
            dashboards: Default::default(),
            cycle_records: Default::default(),
            tutees: Default::default(),
            stage_reports: Default::default(),
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
        let webhooks = self.email_worker.then(|| {
            crate::webhooks::spawn_worker(
                store.clone(),
                self.state.settings.webhooks,
                interval,
                stopped.clone(),
            )
        });
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
        let settings = self.state.settings.clone();
        serve(
            self.listener,
            crate::router::app(self.state),
            &settings,
            shutdown,
        )
        .await;
        let _ = stop.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(worker) = webhooks {
            let _ = worker.await;
        }
        store.close().await;
        Ok(())
    }
}

/// Serves HTTP/1.1 on `listener` until `shutdown` completes, then lets every connection finish
/// the request it is answering. This is `axum::serve` with a clock: axum's own gives hyper no
/// timer, so a client that sends its headers a byte at a time would hold a connection for
/// ever. Here headers must arrive within `header_timeout_seconds` (also how long an idle
/// keep-alive connection stays open) and fit in `max_header_kib` (else 431).
async fn serve(
    listener: TcpListener,
    app: crate::router::App,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(
            settings.header_timeout_seconds.unsigned_abs(),
        ))
        .max_header_size(usize::try_from(settings.max_header_kib * 1024).unwrap_or(usize::MAX));
    // Connections hold a receiver of `stop` (told to finish) and of `open` (dropped when done).
    let (stop, _) = tokio::sync::watch::channel(());
    let (open_tx, open_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let mut request = request.map(axum::body::Body::new);
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), request)
            });
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let mut stopping = stop.subscribe();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "a connection ended with an error");
                    }
                }
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(open);
        });
    }
    drop(listener);
    let _ = stop.send(());
    drop(open_rx);
    open_tx.closed().await;
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

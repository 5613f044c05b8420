//! `TestApp`: the real application, a fresh database, and a cookie-keeping browser.
use flipside_core::role::{Grant, Role, Scope};
use flipside_store::{NewUser, Store};
use flipside_web::{Application, Settings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub const PASSWORD: &str = "correct-horse-battery";
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Queues an email as an operation does, in a transaction, here of its own: the store queues
/// email only inside the transaction that causes it, and these tests exercise the worker.
pub(crate) trait QueueEmail {
    async fn enqueue_email(
        &self,
        email: &flipside_store::NewEmail<'_>,
    ) -> Result<bool, flipside_store::StoreError>;
}

impl QueueEmail for Store {
    async fn enqueue_email(
        &self,
        email: &flipside_store::NewEmail<'_>,
    ) -> Result<bool, flipside_store::StoreError> {
        let mut tx = self.begin().await?;
        let added = tx.enqueue_email(email).await?;
        tx.commit().await?;
        Ok(added)
    }
}

/// Which database the suite runs against.
pub fn backend() -> String {
    std::env::var("FLIPSIDE_TEST_DATABASE").unwrap_or_else(|_| "sqlite".into())
}

/// A fresh database holding every migration and nothing else: a new SQLite file, or a new
/// PostgreSQL database copied from this test binary's template ([`postgres_template`]).
pub async fn fresh_store() -> (Store, Option<PathBuf>) {
    let (store, dir) = new_store(Schema::Migrated).await;
    store.migrate().await.expect("migrating");
    (store, dir)
}

/// A fresh database with no tables at all, for tests of the migrations themselves.
pub async fn empty_store() -> (Store, Option<PathBuf>) {
    new_store(Schema::Empty).await
}

/// What a new test database starts with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Schema {
    Empty,
    /// Every migration, where it can be copied (PostgreSQL); else the caller migrates.
    Migrated,
    /// The demo organisation, copied from this test binary's ([`demo_template`]).
    Demo,
}

/// The organisation every test app starts with.
async fn ensure_test_organisation(store: &Store) {
    store
        .ensure_organisation("Test University", "TU")
        .await
        .expect("organisation");
}

/// Makes in `store` (migrated) what [`TestApp::spawn`] and then [`TestApp::demo_coordinator`]
/// make: the test organisation, then the demo organisation in it.
async fn seed_demo(store: &Store) {
    ensure_test_organisation(store).await;
    flipside_web::demo::ensure(store)
        .await
        .expect("seeding the demo");
}

/// Where this test binary's demo database is, made once, the first time a test asks: a SQLite
/// database file to copy, or the name of a PostgreSQL database to copy with `CREATE DATABASE
/// .. TEMPLATE`. Seeding the demo (accounts with hashed passwords, schemes, cycles, pairs, a
/// year of meetings and answers) took most of the time of each test that starts from it: 2 to
/// 3 s on SQLite and 5 to 7 s on PostgreSQL, where a copy takes a fraction of a second. On
/// PostgreSQL its name starts like every test database's, so that the test command drops it with
/// them; on SQLite it is kept under cargo's directory for tests' files, and templates left there
/// by runs over an hour ago are removed.
async fn demo_template(admin: Option<(&Store, &str)>) -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            match admin {
                None => {
                    let parent = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
                    remove_old_demo_templates(parent);
                    let dir = parent.join(format!(
                        "demo-template-{}-{}",
                        std::process::id(),
                        rand_suffix()
                    ));
                    let store = Store::open_sqlite(&dir).await.expect("opening SQLite");
                    store.migrate().await.expect("migrating");
                    seed_demo(&store).await;
                    // One file holding all of it, written while the database is open (its
                    // write-ahead log would not be safe to copy while it closes).
                    let file = dir.join("template.db");
                    let path = file.to_str().expect("a UTF-8 temporary directory");
                    store
                        .execute_admin(&format!("VACUUM INTO '{path}'"))
                        .await
                        .expect("writing the demo template");
                    store.close().await;
                    path.to_string()
                }
                Some((admin, admin_url)) => {
                    let name = format!(
                        "flipside_test_demo_{}_{}",
                        std::process::id(),
                        rand_suffix()
                    );
                    admin
                        .execute_admin(&format!(
                            "CREATE DATABASE {name} TEMPLATE {}",
                            postgres_template(admin, admin_url).await
                        ))
                        .await
                        .expect("creating the demo template database");
                    let template = Store::open_postgres(&database_url(admin_url, &name))
                        .await
                        .expect("connecting to the demo template database");
                    seed_demo(&template).await;
                    // A database is copied only while nobody is connected to it.
                    template.close().await;
                    name
                }
            }
        })
        .await
}

/// Removes the SQLite demo templates in `parent` last written over an hour ago (by runs that
/// have ended: a template is written only while its test binary starts).
fn remove_old_demo_templates(parent: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|at| {
            at.elapsed().unwrap_or_default() > std::time::Duration::from_secs(3600)
        });
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("demo-template-")
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Makes the new SQLite data directory `to` with a copy of the database file `template`.
fn copy_database(template: &str, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("creating a test data directory");
    std::fs::copy(template, to.join("flipside.db")).expect("copying the demo");
}

async fn new_store(schema: Schema) -> (Store, Option<PathBuf>) {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let unique = format!("{}_{}_{}", std::process::id(), n, rand_suffix());
    match backend().as_str() {
        "sqlite" => {
            let dir = std::env::temp_dir().join(format!("flipside-test-{unique}"));
            if schema == Schema::Demo {
                copy_database(demo_template(None).await, &dir);
            }
            let store = Store::open_sqlite(&dir)
                .await
                .expect("opening a SQLite file");
            (store, Some(dir))
        }
        "postgres" => {
            let admin_url = std::env::var("FLIPSIDE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("flipside_test_{unique}");
            let admin = Store::open_postgres(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL is required for FLIPSIDE_TEST_DATABASE=postgres but {admin_url} cannot be reached: {e}"));
            let create = match schema {
                Schema::Empty => format!("CREATE DATABASE {name}"),
                Schema::Migrated => format!(
                    "CREATE DATABASE {name} TEMPLATE {}",
                    postgres_template(&admin, &admin_url).await
                ),
                Schema::Demo => format!(
                    "CREATE DATABASE {name} TEMPLATE {}",
                    demo_template(Some((&admin, &admin_url))).await
                ),
            };
            admin
                .execute_admin(&create)
                .await
                .expect("creating a test database");
            // A commit here need not wait for the server to flush its log to disk: nothing in
            // these tests stops the server, and waiting was most of a test's time on
            // PostgreSQL. Set on this database only, never on the server; the tests that kill
            // a process mid-write (crates/cli/tests/processes) keep the default.
            admin
                .execute_admin(&format!(
                    "ALTER DATABASE {name} SET synchronous_commit = off"
                ))
                .await
                .expect("setting up a test database");
            admin.close().await;
            (
                Store::open_postgres(&database_url(&admin_url, &name))
                    .await
                    .expect("connecting to the test database"),
                None,
            )
        }
        other => panic!("FLIPSIDE_TEST_DATABASE must be sqlite or postgres, not {other}"),
    }
}

/// The URL of database `name` on the server of `admin_url`.
fn database_url(admin_url: &str, name: &str) -> String {
    match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("FLIPSIDE_TEST_POSTGRES_URL must end with a database name"),
    }
}

/// The name of a PostgreSQL database holding every migration and nothing else, made once per
/// test binary, from which each test's database is copied (`CREATE DATABASE .. TEMPLATE`).
/// Migrating afresh costs PostgreSQL a file sync for every table and index it creates, most of
/// a short test's time on PostgreSQL; a copy costs none of them. Its name starts like every
/// test database's, so that the test command drops it with them before the next run.
async fn postgres_template(admin: &Store, admin_url: &str) -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!(
                "flipside_test_template_{}_{}",
                std::process::id(),
                rand_suffix()
            );
            admin
                .execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .expect("creating the template database");
            let template = Store::open_postgres(&database_url(admin_url, &name))
                .await
                .expect("connecting to the template database");
            template
                .migrate()
                .await
                .expect("migrating the template database");
            // A database is copied only while nobody is connected to it.
            template.close().await;
            name
        })
        .await
}

fn rand_suffix() -> u32 {
    use rand::Rng;
    rand::rng().random_range(0..1_000_000)
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    /// Where [`TestApp::drain_outbox`] writes the emails it sends.
    pub mail_dir: PathBuf,
    /// The server's clock: a test stops it at an instant (`app.clock.set(..)`) to test a rule
    /// at the edge of a date.
    pub clock: flipside_web::clock::Clock,
    /// The server's state, for calling an operation directly as two requests at once would.
    pub state: flipside_web::state::AppState,
    mailer: std::sync::Arc<flipside_web::mail::Mailer>,
    public_url: url::Url,
    dir: Option<PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
        let _ = std::fs::remove_dir_all(&self.mail_dir);
    }
}

/// A new, empty directory under the system's temporary directory.
pub fn temp_dir(purpose: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "flipside-{purpose}-{}_{}_{}",
        std::process::id(),
        n,
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).expect("creating a temporary directory");
    dir
}

impl TestApp {
    /// Seeds the demo and signs its (organisation-wide) coordinator in.
    pub async fn demo_coordinator(&self) -> Browser {
        flipside_web::demo::ensure(&self.store).await.unwrap();
        self.demo_signed_in("coordinator").await
    }

    /// Publishes pairs directly in the store (a test's set-up, not the coordinator's page).
    pub async fn publish_pairs(
        &self,
        cycle: i64,
        pairs: &[flipside_store::NewPair],
        actor: Option<i64>,
    ) -> Result<Vec<i64>, flipside_store::StoreError> {
        let mut tx = self.store.begin().await?;
        let ids = tx.publish_pairs(cycle, pairs, actor).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Moves a cycle on directly in the store (a test's set-up).
    pub async fn transition_cycle(
        &self,
        cycle: i64,
        from: flipside_core::cycle::CycleState,
        to: flipside_core::cycle::CycleState,
        actor: Option<i64>,
    ) -> Result<u64, flipside_store::StoreError> {
        let mut tx = self.store.begin().await?;
        let n = tx.transition_cycle(cycle, from, to, actor).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// An institutional scheme with a recruiting 2026/27 cycle whose framework is the given
    /// JSON: (scheme id, cycle id).
    pub async fn scheme_with_cycle(&self, name: &str, framework: &str) -> (i64, i64) {
        let scheme = self
            .store
            .create_scheme(flipside_store::NewScheme {
                name,
                kind: flipside_core::scheme::SchemeKind::Institutional,
                purpose: "Students mentor senior leaders about their lived experience.",
                school_id: None,
                created_by: None,
            })
            .await
            .unwrap();
        let cycle = self
            .store
            .create_cycle(
                scheme,
                flipside_core::cycle::AcademicYear::parse("2026/27").unwrap(),
                20,
                framework,
                None,
                None,
            )
            .await
            .unwrap();
        self.open_call(cycle).await;
        (scheme, cycle)
    }

    /// Opens the call of a cycle that is still a draft (a test's set-up: every new cycle
    /// starts as a draft).
    pub async fn open_call(&self, cycle: i64) {
        self.transition_cycle(
            cycle,
            flipside_core::cycle::CycleState::Draft,
            flipside_core::cycle::CycleState::Recruiting,
            None,
        )
        .await
        .expect("opening the call");
    }

    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::spawn_on(Schema::Migrated, adjust).await
    }

    /// The app on a copy of the demo organisation as [`TestApp::demo_coordinator`] makes it on a
    /// fresh app (made once per test binary, so much faster than seeding it again).
    pub async fn spawn_demo() -> TestApp {
        TestApp::spawn_on(Schema::Demo, |_| {}).await
    }

    async fn spawn_on(schema: Schema, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let (store, dir) = new_store(schema).await;
        store.migrate().await.expect("migrating");
        let mut settings = Settings::load(None, Vec::new()).expect("default settings");
        settings.listen = "127.0.0.1:0".parse().unwrap();
        let mail_dir = temp_dir("mail");
        settings.mail_dir = Some(mail_dir.clone());
        adjust(&mut settings);
        ensure_test_organisation(&store).await;
        let public_url = settings.public_url.clone();
        // No worker: a test sends queued emails when it says so (`drain_outbox`).
        let app = Application::build(settings, store.clone())
            .await
            .expect("building the app")
            .without_email_worker();
        let addr = app.local_addr();
        let mailer = app.mailer();
        let clock = app.state().clock.clone();
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            addr,
            store,
            mail_dir,
            clock,
            state,
            mailer,
            public_url,
            dir,
        }
    }

    /// One pass of the email worker, run here and now: queues the meeting reminders that have
    /// come due and the survey reminders scheduled for the app clock's day, then sends every
    /// due email.
    pub async fn drain_outbox(&self) -> flipside_web::mail::Delivery {
        let now = flipside_store::now();
        flipside_web::mail::queue_meeting_reminders(&self.store, &self.public_url, now)
            .await
            .expect("queueing reminders");
        self.queue_scheduled_survey_reminders().await;
        flipside_web::mail::deliver_due(&self.store, &self.mailer, now)
            .await
            .expect("draining the outbox")
    }

    /// The email worker's pass over the survey waves' reminder schedules, on the app clock's
    /// day: how many reminders it queued.
    pub async fn queue_scheduled_survey_reminders(&self) -> usize {
        flipside_web::operations::survey_reminders::queue_scheduled_survey_reminders(
            &self.store,
            &self.public_url,
            self.clock.now(),
        )
        .await
        .expect("queueing scheduled survey reminders")
    }

    /// Makes every later attempt to queue an email fail in the database, so that a test can
    /// see that an operation whose email cannot be queued leaves nothing else behind.
    pub async fn refuse_emails(&self) {
        self.refuse_inserts_into("outbox").await;
    }

    /// Makes every later insert into `table` fail in the database (a trigger raises an
    /// error): the step of an operation that writes there fails, and the test sees what the
    /// operation's other steps left behind (nothing, when they share one transaction).
    pub async fn refuse_inserts_into(&self, table: &str) {
        let statements = match backend().as_str() {
            "postgres" => vec![
                format!(
                    // OR REPLACE: a test may refuse, allow and refuse again.
                    "CREATE OR REPLACE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'inserts into {table} refused by the test'; END $$"
                ),
                format!(
                    "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"
                ),
            ],
            _ => vec![format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'inserts into {table} refused by the test'); END"
            )],
        };
        for sql in statements {
            self.store
                .execute_admin(&sql)
                .await
                .expect("refusing inserts");
        }
    }

    /// Undoes [`TestApp::refuse_inserts_into`]: inserts into `table` work again.
    pub async fn allow_inserts_into(&self, table: &str) {
        let sql = match backend().as_str() {
            "postgres" => format!("DROP TRIGGER refuse_{table} ON {table}"),
            _ => format!("DROP TRIGGER refuse_{table}"),
        };
        self.store
            .execute_admin(&sql)
            .await
            .expect("allowing inserts");
    }

    /// How many audit entries of the kind exist.
    pub async fn audited(&self, action: &str) -> usize {
        self.store
            .audit_entries(Some(action), 1000)
            .await
            .unwrap()
            .len()
    }

    /// The audit entries whose action starts with `prefix`, oldest first.
    pub async fn audit_trail(&self, prefix: &str) -> Vec<flipside_store::AuditEntry> {
        let mut all = self.store.audit_entries(None, 100_000).await.unwrap();
        all.retain(|e| e.action.starts_with(prefix));
        all.reverse();
        all
    }

    /// Checks that the trail of `prefix` actions ([`TestApp::audit_trail`]) grew by exactly one
    /// entry since it held `seen`, recording `action` by `actor` on `subject` (kind, id) from a
    /// client address; moves `seen` on and returns the entry.
    pub async fn audited_once(
        &self,
        seen: &mut usize,
        prefix: &str,
        actor: i64,
        action: &str,
        subject: (&str, i64),
    ) -> flipside_store::AuditEntry {
        let trail = self.audit_trail(prefix).await;
        assert_eq!(
            trail.len(),
            *seen + 1,
            "one new entry, {action}, expected: {:#?}",
            &trail[(*seen).min(trail.len())..]
        );
        *seen += 1;
        let e = trail.last().unwrap().clone();
        assert_eq!(
            (
                e.actor_id,
                e.action.as_str(),
                e.subject_kind.as_str(),
                e.subject_id
            ),
            (Some(actor), action, subject.0, Some(subject.1)),
            "{e:#?}"
        );
        assert!(!e.address.is_empty(), "{e:#?}");
        e
    }

    /// The id of the account with this email.
    pub async fn user_id(&self, email: &str) -> i64 {
        self.store.user_by_email(email).await.unwrap().id
    }

    /// A demo account (`mentor`, `coordinator`, …), signed in with the demo's password.
    pub async fn demo_signed_in(&self, who: &str) -> Browser {
        let b = self.browser();
        let r = b
            .post(
                "/sign-in",
                &[
                    ("email", &format!("{who}@demo.flipside.test")),
                    ("password", flipside_web::demo::PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{who}: {}", r.body);
        b
    }

    /// The demo's closed cycle: last year's, of the institutional scheme.
    pub async fn demo_past_cycle(&self) -> flipside_store::Cycle {
        let scheme = self
            .store
            .schemes()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.kind == "institutional")
            .unwrap();
        self.store
            .cycles_of(scheme.id)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.state == "closed")
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A person with a password and the given roles; returns their id.
    pub async fn person(&self, email: &str, grants: &[(Role, Scope)]) -> i64 {
        static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
        let hash = HASH
            .get_or_init(|| async { flipside_web::auth::password::hash(PASSWORD).unwrap() })
            .await;
        let id = self
            .store
            .create_user(NewUser {
                email,
                display_name: &display_name(email),
                password_hash: Some(hash),
                school_id: None,
            })
            .await
            .unwrap();
        for (role, scope) in grants {
            self.store
                .grant_role(id, Grant::new(*role, *scope).unwrap(), None)
                .await
                .unwrap();
        }
        id
    }

    /// The path of the last set-password link emailed to `address` (`/password/set/TOKEN`).
    pub async fn password_link_sent_to(&self, address: &str) -> String {
        let emails = self.store.emails_to(address).await.unwrap();
        let last = emails
            .iter()
            .rev()
            .find(|e| e.dedup_key.starts_with("account-link:"))
            .expect("a set-password email was queued");
        let at = last.body_text.find("/password/set/").expect("a link");
        last.body_text[at..at + "/password/set/".len() + 64].to_string()
    }

    /// A browser with no session.
    pub fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    /// A browser at another client address (it says so in `X-Forwarded-For`, which the app
    /// reads only with `trust_proxy_headers` on).
    pub fn browser_at(&self, address: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().unwrap());
        let mut b = Browser::new(self.addr);
        b.client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        b
    }

    /// A browser signed in as someone created with [`TestApp::person`].
    pub async fn signed_in(&self, email: &str) -> Browser {
        let b = self.browser();
        let r = b
            .post(
                "/sign-in",
                &[("email", email), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(r.status, 303, "sign-in as {email} failed: {}", r.body);
        b
    }

    /// A person with the roles, signed in.
    pub async fn as_role(&self, email: &str, grants: &[(Role, Scope)]) -> Browser {
        self.person(email, grants).await;
        self.signed_in(email).await
    }
}

fn display_name(email: &str) -> String {
    email.split('@').next().unwrap_or(email).replace('.', " ")
}

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A client that keeps cookies, does not follow redirects, and knows its CSRF token.
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
    csrf: tokio::sync::Mutex<Option<String>>,
}

impl Browser {
    fn new(addr: SocketAddr) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            base: format!("http://{addr}"),
            csrf: tokio::sync::Mutex::new(None),
        }
    }

    async fn read(r: reqwest::Response) -> Page {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        Page {
            status,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    /// Reads a response, forgetting the cached CSRF token when the server set a new cookie
    /// (it rotates it at sign-in), as a browser's next page would carry the new one.
    async fn read_own(&self, r: reqwest::Response) -> Page {
        let page = Browser::read(r).await;
        if page
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("flipside_csrf="))
        {
            *self.csrf.lock().await = None;
        }
        page
    }

    pub async fn get(&self, path: &str) -> Page {
        self.read_own(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// GETs a page that must answer 200, for checks of what it does not contain: a "must not
    /// contain" on an error page or a redirect proves nothing.
    pub async fn get_ok(&self, path: &str) -> Page {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        page
    }

    /// GETs and follows one redirect, as a browser would after Post/Redirect/Get.
    pub async fn follow(&self, page: &Page) -> Page {
        assert!(
            matches!(page.status, 302 | 303),
            "expected a redirect, got {}: {}",
            page.status,
            page.body
        );
        self.get(page.location()).await
    }

    /// The CSRF token this browser's cookie corresponds to (from any page with a form).
    pub async fn csrf(&self) -> String {
        let mut guard = self.csrf.lock().await;
        if let Some(t) = guard.as_ref() {
            return t.clone();
        }
        // Read without `read_own`: it would take the lock this function holds, and the token
        // read here is the one the page's cookie belongs to.
        let page = Browser::read(
            self.client
                .get(format!("{}/sign-in", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let token = extract_csrf(&page.body).expect("the sign-in page has a CSRF field");
        *guard = Some(token.clone());
        token
    }

    /// Submits a form with the CSRF field filled in.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &token));
        self.post_raw(path, &all).await
    }

    /// Submits a `multipart/form-data` form: plain fields (the CSRF field added unless
    /// `with_csrf` is false) and files as (field, file name, content).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str)],
        with_csrf: bool,
    ) -> Page {
        const BOUNDARY: &str = "flipside-test-boundary-7Qz";
        let token = self.csrf().await;
        let mut body = String::new();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if with_csrf {
            all.push(("csrf", &token));
        }
        for (name, value) in all {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        for (name, filename, content) in files {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"
            ));
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        Browser::read(
            self.client
                .post(format!("{}{path}", self.base))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Submits a form exactly as given (no CSRF field added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.read_own(
            self.client
                .post(format!("{}{path}", self.base))
                .form(fields)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")?;
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The text between the first `<h1>` and `</h1>`.
pub fn h1(html: &str) -> String {
    let start = html.find("<h1>").map(|i| i + 4).unwrap_or(0);
    let end = html[start..]
        .find("</h1>")
        .map(|i| start + i)
        .unwrap_or(start);
    html[start..end].to_string()
}

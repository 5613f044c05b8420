//! Helpers for driving real `flipside` processes: a fresh database on either backend, a
//! server on a free port, HTTP/1.1 over a plain socket, signing in and making an API token as
//! a person does on the pages.
use flipside_store::Store;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const PASSWORD: &str = "a long enough password for tests";

/// Where a test's flipside keeps its data.
#[derive(Clone)]
pub enum Database {
    /// `flipside.db` in this directory.
    Sqlite(PathBuf),
    /// A database of its own on the test PostgreSQL server.
    Postgres(String),
}

impl Database {
    /// A fresh, empty database on `backend` (`sqlite` or `postgres`), named after `tag`.
    /// PostgreSQL is required: an unreachable server fails the test.
    pub async fn fresh(backend: &str, tag: &str) -> Database {
        let unique = format!("{tag}_{}", std::process::id());
        match backend {
            "sqlite" => {
                let dir = std::env::temp_dir().join(format!("flipside-processes-{unique}"));
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).unwrap();
                Database::Sqlite(dir)
            }
            _ => {
                let admin_url = std::env::var("FLIPSIDE_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
                let name = format!("flipside_test_{unique}");
                let admin = Store::open_postgres(&admin_url).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is required but {admin_url} cannot be reached: {e}")
                });
                admin
                    .execute_admin(&format!("DROP DATABASE IF EXISTS {name}"))
                    .await
                    .unwrap();
                admin
                    .execute_admin(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await;
                let (base, _) = admin_url
                    .rsplit_once('/')
                    .expect("URL ends with a database");
                Database::Postgres(format!("{base}/{name}"))
            }
        }
    }

    /// Opens the store directly (for checking what the server wrote).
    pub async fn open(&self) -> Store {
        match self {
            Database::Sqlite(dir) => Store::open_sqlite(dir).await.unwrap(),
            Database::Postgres(url) => Store::open_postgres(url).await.unwrap(),
        }
    }

    /// The `flipside` command with a clean environment, pointed at this database.
    pub fn flipside(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_flipside"));
        for (k, _) in std::env::vars() {
            if k.starts_with("FLIPSIDE_") || k == "DATABASE_URL" {
                c.env_remove(k);
            }
        }
        match self {
            Database::Sqlite(dir) => c.env("FLIPSIDE_DATA_DIR", dir),
            Database::Postgres(url) => c.env("FLIPSIDE_DATABASE_URL", url),
        };
        c
    }

    /// Creates a person with [`PASSWORD`] and, if `role` is given, an organisation-wide role.
    pub fn create_user(&self, email: &str, name: &str, role: Option<&str>) {
        let out = self
            .flipside()
            .args(["admin", "create-user", "--email", email, "--name", name])
            .env("FLIPSIDE_NEW_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(out.status.success(), "create-user: {out:?}");
        if let Some(role) = role {
            let out = self
                .flipside()
                .args(["admin", "grant", "--email", email, "--role", role])
                .output()
                .unwrap();
            assert!(out.status.success(), "grant: {out:?}");
        }
    }
}

/// A running `flipside serve`, killed when dropped.
pub struct Instance {
    pub child: Child,
    pub addr: String,
    pub mail_dir: PathBuf,
    /// What the server wrote to standard error.
    pub log: PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// Starts `flipside serve` on a free port, with its own mail directory and its email
    /// worker polling every second; call [`Instance::wait_listening`] before using it.
    pub fn spawn(db: &Database, name: &str) -> Instance {
        Instance::spawn_with(db, name, &[])
    }

    /// [`Instance::spawn`] with more environment variables (settings).
    pub fn spawn_with(db: &Database, name: &str, env: &[(&str, &str)]) -> Instance {
        let mail_dir = std::env::temp_dir().join(format!(
            "flipside-processes-mail-{name}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&mail_dir).unwrap();
        let log = mail_dir.with_extension("log");
        let child = db
            .flipside()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("FLIPSIDE_MAIL_DIR", &mail_dir)
            .env("FLIPSIDE_MAIL_POLL_SECONDS", "1")
            // The crash test's writers write as fast as they can as one person: these tests
            // are about durability and instances, not the write allowance.
            .env("FLIPSIDE_WRITES_PER_MINUTE_PER_PERSON", "1000000")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Instance {
            child,
            addr: String::new(),
            mail_dir,
            log,
        }
    }

    /// Waits for the line saying where the server listens.
    pub fn wait_listening(&mut self) {
        let out = self.child.stdout.take().unwrap();
        let mut lines = BufReader::new(out).lines();
        // Log lines (a slow migration lock, say) may come first.
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("flipside is listening on http://")
                    .and_then(|a| a.strip_suffix('/'))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("the server stopped before listening:\n{log}")
            });
        self.addr = addr;
        // Keep reading stdout (where the server logs) so that it never blocks on a full pipe,
        // and keep it beside standard error for a failing test to show.
        let mut log = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log)
            .unwrap();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
            }
        });
    }

    /// Starts a server and waits until it listens.
    pub fn start(db: &Database, name: &str) -> Instance {
        let mut i = Instance::spawn(db, name);
        i.wait_listening();
        i
    }
}

/// A response: status, `Set-Cookie` name=value pairs, body.
pub struct Response {
    pub status: u16,
    pub cookies: Vec<String>,
    pub body: String,
}

/// One HTTP/1.1 request with extra headers and a body.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    head.push_str(body);
    stream.write_all(head.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let response = String::from_utf8_lossy(&raw);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {head:?}")))?;
    let cookies = head
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .filter_map(|l| l["set-cookie:".len()..].trim().split(';').next())
        .map(str::to_string)
        .collect();
    Ok(Response {
        status,
        cookies,
        body: body.to_string(),
    })
}

/// A form post or a page read with cookies.
pub fn page(addr: &str, method: &str, path: &str, cookie: &str, form: &str) -> Response {
    let mut headers = vec![("Cookie", cookie)];
    if method == "POST" {
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    }
    request(addr, method, path, &headers, form).unwrap()
}

pub fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_string()
}

pub fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Signs in with [`PASSWORD`] on the sign-in page; returns the session's cookies.
pub fn sign_in(addr: &str, email: &str) -> String {
    let form_page = page(addr, "GET", "/sign-in", "", "");
    assert_eq!(form_page.status, 200);
    let jar = form_page.cookies.join("; ");
    let form = format!(
        "csrf={}&next=&email={}&password={}",
        form_encode(&csrf_of(&form_page.body)),
        form_encode(email),
        form_encode(PASSWORD)
    );
    let signed_in = page(addr, "POST", "/sign-in", &jar, &form);
    assert_eq!(signed_in.status, 303, "signing in as {email}");
    assert!(
        !signed_in.cookies.is_empty(),
        "signing in set a session cookie"
    );
    signed_in.cookies.join("; ")
}

/// Makes an API token on the account page, as a person does; returns it.
pub fn api_token(addr: &str, session: &str) -> String {
    let account = page(addr, "GET", "/account", session, "");
    assert_eq!(account.status, 200);
    let form = format!(
        "csrf={}&name=tests&days=&scope=read&scope=mentoring&scope=evaluation&scope=tutoring&scope=cocreation&scope=administration",
        form_encode(&csrf_of(&account.body))
    );
    let made = page(addr, "POST", "/account/tokens", session, &form);
    let start = made
        .body
        .find("<p class=\"token\">")
        .expect("the new token")
        + 17;
    let end = start + made.body[start..].find('<').unwrap();
    made.body[start..end].trim().to_string()
}

/// A JSON API call with a bearer token.
pub fn api(
    addr: &str,
    token: &str,
    method: &str,
    path: &str,
    json: &str,
) -> std::io::Result<Response> {
    let auth = format!("Bearer {token}");
    request(
        addr,
        method,
        &format!("/api/v1{path}"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        json,
    )
}

/// The `.eml` files a file-sink mail directory holds.
pub fn eml_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".eml"))
                .collect()
        })
        .unwrap_or_default()
}

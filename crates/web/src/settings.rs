//! Typed settings: defaults, then a TOML file, then `FLIPSIDE_*` environment variables (and
//! `DATABASE_URL`), validated once at start-up. An unknown key in the file or an unknown
//! `FLIPSIDE_` variable stops start-up with a message naming it: a misspelt setting silently
//! ignored is how production ends up on defaults.
use flipside_core::privacy::RetentionSettings;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A value that must not appear in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Sign-in through an institutional OpenID Connect provider.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer URL; its `/.well-known/openid-configuration` is discovered at start-up.
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// What the sign-in button says, e.g. "University SSO".
    pub display_name: String,
}

/// Where webhooks may be sent (the `[webhooks]` table).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Let subscriptions and deliveries reach private, loopback, link-local and other
    /// non-public addresses (and `http://` to them). Off by default: an endpoint is an
    /// administrator's choice, and the server must not be a way into the networks behind it.
    /// The demo and the tests turn it on, to deliver to receivers on this machine.
    pub allow_private_targets: bool,
}

/// Every setting flipside reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address the server listens on.
    pub listen: SocketAddr,
    /// Directory holding the SQLite database (and the development email sink).
    pub data_dir: PathBuf,
    /// A `postgres://` URL to use PostgreSQL instead of the embedded SQLite file.
    pub database_url: Option<Secret>,
    /// The address people reach flipside at; an `https://` URL makes cookies `Secure`.
    pub public_url: url::Url,
    /// How long a session lasts.
    pub session_hours: i64,
    /// Failed sign-ins of one account from one client address before that pair's attempts
    /// are slowed (never locked: the owner elsewhere is unaffected).
    pub max_failures_per_pair: i64,
    /// Failed sign-ins from one client address, whatever the accounts, before that address's
    /// attempts are slowed.
    pub max_failures_per_address: i64,
    /// How long a failed sign-in counts; also the longest a slowed attempt waits.
    pub failure_window_minutes: i64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy_headers: bool,
    pub log_format: LogFormat,
    pub oidc: Option<OidcSettings>,
    /// An SMTP server URL (`smtp://user:pass@host:587?tls=required`, `smtps://...`); without
    /// one, emails are written as files into `mail_dir` (development).
    pub smtp_url: Option<Secret>,
    /// The sender of every email, such as `flipside <flipside@example.ac.uk>`.
    pub mail_from: String,
    /// Where emails go when there is no SMTP server; `<data_dir>/mail` by default.
    pub mail_dir: Option<PathBuf>,
    /// How often the email worker looks for due emails.
    pub mail_poll_seconds: i64,
    /// How long each kind of personal data is kept (the `[retention]` table).
    pub retention: RetentionSettings,
    /// The bearer token a scraper sends to read `/metrics`; without one, `/metrics` is not
    /// served at all (404).
    pub metrics_token: Option<Secret>,
    /// Where webhooks may be sent.
    pub webhooks: WebhookSettings,
    /// The largest body of a form or a JSON request, in KiB (`crate::limits`).
    pub max_form_kib: i64,
    /// The largest upload of a document (a chat transcript, a codebook), in MiB.
    pub max_file_mib: i64,
    /// The largest import of an institution's CSV files together, in MiB.
    pub max_import_mib: i64,
    /// The largest request line and headers, in KiB.
    pub max_header_kib: i64,
    /// How long a request's headers may take to arrive (and an idle connection stays open).
    pub header_timeout_seconds: i64,
    /// How long a request may take to arrive and be answered.
    pub request_timeout_seconds: i64,
    /// Requests answered at once by this process; more are refused at once (503).
    pub max_concurrent_requests: i64,
    /// Writes one signed-in person may make at once, refilled evenly over a minute.
    pub writes_per_minute_per_person: i64,
    /// The same for one client address of people not signed in.
    pub writes_per_minute_per_address: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            listen: "127.0.0.1:8080".parse().expect("a valid default address"),
            data_dir: PathBuf::from("data"),
            database_url: None,
            public_url: url::Url::parse("http://127.0.0.1:8080/").expect("a valid default URL"),
            session_hours: 12,
            max_failures_per_pair: 5,
            max_failures_per_address: 20,
            failure_window_minutes: 15,
            trust_proxy_headers: false,
            log_format: LogFormat::Text,
            oidc: None,
            smtp_url: None,
            mail_from: "flipside <flipside@localhost>".into(),
            mail_dir: None,
            mail_poll_seconds: 5,
            retention: RetentionSettings::default(),
            metrics_token: None,
            webhooks: WebhookSettings::default(),
            max_form_kib: 1024,
            max_file_mib: 16,
            max_import_mib: 64,
            max_header_kib: 32,
            header_timeout_seconds: 20,
            request_timeout_seconds: 60,
            max_concurrent_requests: 512,
            writes_per_minute_per_person: 120,
            writes_per_minute_per_address: 300,
        }
    }
}

/// A setting that could not be used; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("setting {name}: {message}")]
pub struct SettingsError {
    pub name: String,
    pub message: String,
}

fn err(name: &str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        name: name.to_string(),
        message: message.into(),
    }
}

/// The file's shape. Every field is optional; unknown fields are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    session_hours: Option<i64>,
    max_failures_per_pair: Option<i64>,
    max_failures_per_address: Option<i64>,
    failure_window_minutes: Option<i64>,
    trust_proxy_headers: Option<bool>,
    log_format: Option<String>,
    oidc: Option<FileOidc>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    mail_dir: Option<PathBuf>,
    mail_poll_seconds: Option<i64>,
    retention: Option<RetentionSettings>,
    metrics_token: Option<String>,
    webhooks: Option<FileWebhooks>,
    max_form_kib: Option<i64>,
    max_file_mib: Option<i64>,
    max_import_mib: Option<i64>,
    max_header_kib: Option<i64>,
    header_timeout_seconds: Option<i64>,
    request_timeout_seconds: Option<i64>,
    max_concurrent_requests: Option<i64>,
    writes_per_minute_per_person: Option<i64>,
    writes_per_minute_per_address: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOidc {
    issuer_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    display_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWebhooks {
    allow_private_targets: Option<bool>,
}

impl Settings {
    /// Reads the optional file, then the environment, over the defaults.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let mut raw = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| err("--config", format!("cannot read {}: {e}", path.display())))?;
                toml::from_str::<FileSettings>(&text).map_err(|e| {
                    let name = e.message().split('`').nth(1).unwrap_or("file").to_string();
                    err(&name, format!("in {}: {}", path.display(), e.message()))
                })?
            }
            None => FileSettings::default(),
        };
        for (key, value) in env {
            apply_env(&mut raw, &key, value)?;
        }
        Settings::validate(raw)
    }

    fn validate(raw: FileSettings) -> Result<Settings, SettingsError> {
        let d = Settings::default();
        let listen = match raw.listen {
            Some(s) => s.parse().map_err(|_| {
                err(
                    "listen",
                    format!("'{s}' is not an address such as 127.0.0.1:8080"),
                )
            })?,
            None => d.listen,
        };
        let public_url = match raw.public_url {
            Some(s) => {
                let u = url::Url::parse(&s)
                    .map_err(|e| err("public_url", format!("'{s}' is not a URL: {e}")))?;
                if !matches!(u.scheme(), "http" | "https") {
                    return Err(err("public_url", "must start with http:// or https://"));
                }
                u
            }
            None => url::Url::parse(&format!("http://{listen}/"))
                .map_err(|e| err("listen", e.to_string()))?,
        };
        if let Some(url) = &raw.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(err(
                "database_url",
                "must be a postgres:// URL; leave it unset for the embedded SQLite database",
            ));
        }
        // Every number is positive; those that count bytes, seconds or requests also have a
        // ceiling, so that arithmetic on them cannot overflow (a gigabyte, a day, a million).
        let positive = |name: &str, v: Option<i64>, default: i64| match v {
            Some(n) if n > 0 => Ok(n),
            Some(n) => Err(err(
                name,
                format!("must be a positive whole number, not {n}"),
            )),
            None => Ok(default),
        };
        let bounded = |name: &str, v: Option<i64>, default: i64, most: i64| {
            let n = positive(name, v, default)?;
            if n > most {
                return Err(err(name, format!("must be at most {most}, not {n}")));
            }
            Ok(n)
        };
        let log_format = match raw.log_format.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(err("log_format", format!("'{other}' is not text or json"))),
        };
        let oidc = match raw.oidc {
            None => None,
            Some(o)
                if o.issuer_url.is_none() && o.client_id.is_none() && o.client_secret.is_none() =>
            {
                None
            }
            Some(o) => {
                let issuer_url = o.issuer_url.ok_or_else(|| {
                    err(
                        "oidc.issuer_url",
                        "is required when single sign-on is configured",
                    )
                })?;
                url::Url::parse(&issuer_url).map_err(|e| {
                    err(
                        "oidc.issuer_url",
                        format!("'{issuer_url}' is not a URL: {e}"),
                    )
                })?;
                Some(OidcSettings {
                    issuer_url,
                    client_id: o.client_id.ok_or_else(|| {
                        err(
                            "oidc.client_id",
                            "is required when single sign-on is configured",
                        )
                    })?,
                    client_secret: o.client_secret.map(Secret),
                    display_name: o.display_name.unwrap_or_else(|| "single sign-on".into()),
                })
            }
        };
        if let Some(url) = &raw.smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(err("smtp_url", "must be an smtp:// or smtps:// URL"));
        }
        let metrics_token = match raw.metrics_token {
            None => None,
            Some(t) if t.trim().len() < 16 => {
                return Err(err(
                    "metrics_token",
                    "must be at least 16 characters (a random string, such as `openssl rand -hex 32` gives)",
                ));
            }
            Some(t) => Some(Secret(t.trim().to_string())),
        };
        let mail_from = raw.mail_from.unwrap_or(d.mail_from);
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(err(
                "mail_from",
                format!(
                    "'{mail_from}' is not an address such as flipside <flipside@example.ac.uk>"
                ),
            ));
        }
        let retention = raw.retention.unwrap_or_default();
        retention.validate().map_err(|e| err("retention", e.0))?;
        Ok(Settings {
            retention,
            listen,
            data_dir: raw.data_dir.unwrap_or(d.data_dir),
            database_url: raw.database_url.map(Secret),
            public_url,
            session_hours: positive("session_hours", raw.session_hours, d.session_hours)?,
            max_failures_per_pair: positive(
                "max_failures_per_pair",
                raw.max_failures_per_pair,
                d.max_failures_per_pair,
            )?,
            max_failures_per_address: positive(
                "max_failures_per_address",
                raw.max_failures_per_address,
                d.max_failures_per_address,
            )?,
            failure_window_minutes: positive(
                "failure_window_minutes",
                raw.failure_window_minutes,
                d.failure_window_minutes,
            )?,
            trust_proxy_headers: raw.trust_proxy_headers.unwrap_or(d.trust_proxy_headers),
            log_format,
            oidc,
            smtp_url: raw.smtp_url.map(Secret),
            mail_from,
            mail_dir: raw.mail_dir,
            mail_poll_seconds: positive(
                "mail_poll_seconds",
                raw.mail_poll_seconds,
                d.mail_poll_seconds,
            )?,
            metrics_token,
            webhooks: WebhookSettings {
                allow_private_targets: raw
                    .webhooks
                    .and_then(|w| w.allow_private_targets)
                    .unwrap_or(d.webhooks.allow_private_targets),
            },
            max_form_kib: bounded("max_form_kib", raw.max_form_kib, d.max_form_kib, 1 << 20)?,
            max_file_mib: bounded("max_file_mib", raw.max_file_mib, d.max_file_mib, 1024)?,
            max_import_mib: bounded("max_import_mib", raw.max_import_mib, d.max_import_mib, 1024)?,
            max_header_kib: bounded("max_header_kib", raw.max_header_kib, d.max_header_kib, 1024)?,
            header_timeout_seconds: bounded(
                "header_timeout_seconds",
                raw.header_timeout_seconds,
                d.header_timeout_seconds,
                86_400,
            )?,
            request_timeout_seconds: bounded(
                "request_timeout_seconds",
                raw.request_timeout_seconds,
                d.request_timeout_seconds,
                86_400,
            )?,
            max_concurrent_requests: bounded(
                "max_concurrent_requests",
                raw.max_concurrent_requests,
                d.max_concurrent_requests,
                1_000_000,
            )?,
            writes_per_minute_per_person: bounded(
                "writes_per_minute_per_person",
                raw.writes_per_minute_per_person,
                d.writes_per_minute_per_person,
                1_000_000,
            )?,
            writes_per_minute_per_address: bounded(
                "writes_per_minute_per_address",
                raw.writes_per_minute_per_address,
                d.writes_per_minute_per_address,
                1_000_000,
            )?,
        })
    }

    /// Where the development email sink writes.
    pub fn mail_sink_dir(&self) -> PathBuf {
        self.mail_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("mail"))
    }

    /// Cookies carry `Secure` when people reach flipside over HTTPS.
    /// The absolute address of a page, e.g. `link("pairs/4")`.
    pub fn link(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.public_url.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The origin browsers send in `Origin` for pages of `public_url`, e.g.
    /// `https://flipside.example.ac.uk`.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}

fn apply_env(raw: &mut FileSettings, key: &str, value: String) -> Result<(), SettingsError> {
    if key == "DATABASE_URL" {
        if !value.is_empty() {
            raw.database_url = Some(value);
        }
        return Ok(());
    }
    let Some(name) = key.strip_prefix("FLIPSIDE_") else {
        return Ok(());
    };
    let parse_i64 = |v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| err(key, format!("'{v}' is not a whole number")))
    };
    let parse_bool = |v: &str| match v.trim() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        other => Err(err(key, format!("'{other}' is not true or false"))),
    };
    let oidc = || FileOidc::default();
    match name {
        "LISTEN" => raw.listen = Some(value),
        "DATA_DIR" => raw.data_dir = Some(value.into()),
        "DATABASE_URL" => raw.database_url = Some(value),
        "PUBLIC_URL" => raw.public_url = Some(value),
        "SESSION_HOURS" => raw.session_hours = Some(parse_i64(&value)?),
        "MAX_FAILURES_PER_PAIR" => raw.max_failures_per_pair = Some(parse_i64(&value)?),
        "MAX_FAILURES_PER_ADDRESS" => raw.max_failures_per_address = Some(parse_i64(&value)?),
        "FAILURE_WINDOW_MINUTES" => raw.failure_window_minutes = Some(parse_i64(&value)?),
        "TRUST_PROXY_HEADERS" => raw.trust_proxy_headers = Some(parse_bool(&value)?),
        "LOG_FORMAT" => raw.log_format = Some(value),
        "SMTP_URL" => raw.smtp_url = Some(value),
        "MAIL_FROM" => raw.mail_from = Some(value),
        "MAIL_DIR" => raw.mail_dir = Some(value.into()),
        "MAIL_POLL_SECONDS" => raw.mail_poll_seconds = Some(parse_i64(&value)?),
        "METRICS_TOKEN" => raw.metrics_token = Some(value),
        "MAX_FORM_KIB" => raw.max_form_kib = Some(parse_i64(&value)?),
        "MAX_FILE_MIB" => raw.max_file_mib = Some(parse_i64(&value)?),
        "MAX_IMPORT_MIB" => raw.max_import_mib = Some(parse_i64(&value)?),
        "MAX_HEADER_KIB" => raw.max_header_kib = Some(parse_i64(&value)?),
        "HEADER_TIMEOUT_SECONDS" => raw.header_timeout_seconds = Some(parse_i64(&value)?),
        "REQUEST_TIMEOUT_SECONDS" => raw.request_timeout_seconds = Some(parse_i64(&value)?),
        "MAX_CONCURRENT_REQUESTS" => raw.max_concurrent_requests = Some(parse_i64(&value)?),
        "WRITES_PER_MINUTE_PER_PERSON" => {
            raw.writes_per_minute_per_person = Some(parse_i64(&value)?);
        }
        "WRITES_PER_MINUTE_PER_ADDRESS" => {
            raw.writes_per_minute_per_address = Some(parse_i64(&value)?);
        }
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS" => {
            raw.webhooks
                .get_or_insert_with(FileWebhooks::default)
                .allow_private_targets = Some(parse_bool(&value)?);
        }
        "OIDC_ISSUER_URL" => raw.oidc.get_or_insert_with(oidc).issuer_url = Some(value),
        "OIDC_CLIENT_ID" => raw.oidc.get_or_insert_with(oidc).client_id = Some(value),
        "OIDC_CLIENT_SECRET" => raw.oidc.get_or_insert_with(oidc).client_secret = Some(value),
        "OIDC_DISPLAY_NAME" => raw.oidc.get_or_insert_with(oidc).display_name = Some(value),
        // Variables the test harness and the command line use, not settings.
        "TEST_DATABASE" | "TEST_POSTGRES_URL" | "CONFIG" | "NEW_PASSWORD" | "BIN" => {}
        _ => {
            return Err(err(
                key,
                "is not a flipside setting (see the README for the list)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_listen_on_localhost_with_sqlite() {
        let s = Settings::load(None, env(&[])).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert!(s.database_url.is_none());
        assert!(!s.secure_cookies());
    }

    #[test]
    fn retention_comes_from_its_table_and_unknown_or_invalid_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("flipside-retention-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("flipside.toml");
        std::fs::write(&file, "[retention]\nemails_months = 6\n").unwrap();
        let s = Settings::load(Some(&file), env(&[])).unwrap();
        assert_eq!(s.retention.emails_months, 6);
        assert_eq!(
            s.retention.audit_log_months, 72,
            "others keep their defaults"
        );
        std::fs::write(&file, "[retention]\nemail_months = 6\n").unwrap();
        let e = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert!(e.to_string().contains("email_months"), "{e}");
        std::fs::write(&file, "[retention]\naudit_log_months = 3\n").unwrap();
        let e = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert_eq!(e.name, "retention", "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn environment_overrides_the_file_and_unknown_variables_are_named() {
        let dir = std::env::temp_dir().join(format!("flipside-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("flipside.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nsession_hours = 4\n[oidc]\nissuer_url = \"https://sso.example.test\"\nclient_id = \"flipside\"\n").unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("FLIPSIDE_SESSION_HOURS", "8"),
                ("FLIPSIDE_PUBLIC_URL", "https://flipside.example.test/"),
            ]),
        )
        .unwrap();
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.session_hours, 8);
        assert!(s.secure_cookies());
        assert_eq!(s.oidc.unwrap().client_id, "flipside");

        let e = Settings::load(None, env(&[("FLIPSIDE_LISTN", "x")])).unwrap_err();
        assert_eq!(e.name, "FLIPSIDE_LISTN");
        std::fs::write(&file, "lisen = \"127.0.0.1:9000\"\n").unwrap();
        let e = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert_eq!(e.name, "lisen", "{e}");
    }

    #[test]
    fn malformed_values_name_the_setting() {
        for (k, v, name) in [
            ("FLIPSIDE_LISTEN", "nowhere", "listen"),
            ("FLIPSIDE_SESSION_HOURS", "-3", "session_hours"),
            ("FLIPSIDE_SESSION_HOURS", "three", "FLIPSIDE_SESSION_HOURS"),
            ("DATABASE_URL", "mysql://x", "database_url"),
            ("FLIPSIDE_LOG_FORMAT", "xml", "log_format"),
            ("FLIPSIDE_OIDC_CLIENT_ID", "flipside", "oidc.issuer_url"),
        ] {
            let e = Settings::load(None, env(&[(k, v)])).unwrap_err();
            assert_eq!(e.name, name, "{k}={v}: {e}");
        }
    }

    #[test]
    fn request_limits_have_defaults_and_are_read_from_the_file_and_the_environment() {
        let s = Settings::load(None, env(&[])).unwrap();
        assert_eq!(
            (
                s.max_form_kib,
                s.max_file_mib,
                s.max_import_mib,
                s.max_header_kib
            ),
            (1024, 16, 64, 32)
        );
        assert_eq!(
            (s.header_timeout_seconds, s.request_timeout_seconds),
            (20, 60)
        );
        assert_eq!(s.max_concurrent_requests, 512);
        assert_eq!(
            (
                s.writes_per_minute_per_person,
                s.writes_per_minute_per_address
            ),
            (120, 300)
        );
        let dir = std::env::temp_dir().join(format!("flipside-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("flipside.toml");
        std::fs::write(
            &file,
            "max_file_mib = 32\nwrites_per_minute_per_person = 30\nrequest_timeout_seconds = 120\n",
        )
        .unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("FLIPSIDE_WRITES_PER_MINUTE_PER_PERSON", "40"),
                ("FLIPSIDE_MAX_CONCURRENT_REQUESTS", "64"),
                ("FLIPSIDE_HEADER_TIMEOUT_SECONDS", "5"),
                ("FLIPSIDE_MAX_IMPORT_MIB", "128"),
                ("FLIPSIDE_MAX_FORM_KIB", "256"),
                ("FLIPSIDE_MAX_HEADER_KIB", "16"),
                ("FLIPSIDE_WRITES_PER_MINUTE_PER_ADDRESS", "100"),
            ]),
        )
        .unwrap();
        assert_eq!((s.max_file_mib, s.request_timeout_seconds), (32, 120));
        assert_eq!(s.writes_per_minute_per_person, 40, "the environment wins");
        assert_eq!(
            (
                s.max_concurrent_requests,
                s.header_timeout_seconds,
                s.max_import_mib
            ),
            (64, 5, 128)
        );
        assert_eq!(
            (
                s.max_form_kib,
                s.max_header_kib,
                s.writes_per_minute_per_address
            ),
            (256, 16, 100)
        );
        let _ = std::fs::remove_dir_all(dir);
        for (k, v, name) in [
            ("FLIPSIDE_MAX_FORM_KIB", "0", "max_form_kib"),
            ("FLIPSIDE_MAX_IMPORT_MIB", "4096", "max_import_mib"),
            (
                "FLIPSIDE_REQUEST_TIMEOUT_SECONDS",
                "-1",
                "request_timeout_seconds",
            ),
            (
                "FLIPSIDE_WRITES_PER_MINUTE_PER_PERSON",
                "many",
                "FLIPSIDE_WRITES_PER_MINUTE_PER_PERSON",
            ),
        ] {
            let e = Settings::load(None, env(&[(k, v)])).unwrap_err();
            assert_eq!(e.name, name, "{k}={v}: {e}");
        }
    }

    #[test]
    fn private_webhook_targets_are_refused_unless_the_file_or_the_environment_allows_them() {
        let s = Settings::load(None, env(&[])).unwrap();
        assert!(!s.webhooks.allow_private_targets, "off by default");
        let dir = std::env::temp_dir().join(format!("flipside-webhooks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("flipside.toml");
        std::fs::write(&file, "[webhooks]\nallow_private_targets = true\n").unwrap();
        let s = Settings::load(Some(&file), env(&[])).unwrap();
        assert!(s.webhooks.allow_private_targets);
        let s = Settings::load(
            Some(&file),
            env(&[("FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "false")]),
        )
        .unwrap();
        assert!(!s.webhooks.allow_private_targets, "the environment wins");
        let s = Settings::load(
            None,
            env(&[("FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "yes")]),
        )
        .unwrap();
        assert!(s.webhooks.allow_private_targets);
        std::fs::write(&file, "[webhooks]\nallow_private = true\n").unwrap();
        let e = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert!(e.to_string().contains("allow_private"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The example settings file in `deploy/` is read as it stands.
    #[test]
    fn the_example_settings_file_is_valid() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/flipside.example.toml");
        let s = Settings::load(Some(&file), env(&[])).unwrap();
        assert!(!s.webhooks.allow_private_targets);
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let s = Settings::load(
            None,
            env(&[("DATABASE_URL", "postgres://u:hunter2@db/flipside")]),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        let s = Settings::load(
            None,
            env(&[("FLIPSIDE_SMTP_URL", "smtp://mailer:hunter3@relay:587")]),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("hunter3"));
    }

    #[test]
    fn mail_settings_are_checked_and_the_sink_defaults_under_the_data_dir() {
        let s = Settings::load(None, env(&[("FLIPSIDE_DATA_DIR", "var")])).unwrap();
        assert!(s.smtp_url.is_none());
        assert_eq!(s.mail_sink_dir(), PathBuf::from("var").join("mail"));
        let e = Settings::load(None, env(&[("FLIPSIDE_SMTP_URL", "http://relay")])).unwrap_err();
        assert_eq!(e.name, "smtp_url");
        let e = Settings::load(None, env(&[("FLIPSIDE_MAIL_FROM", "not an address")])).unwrap_err();
        assert_eq!(e.name, "mail_from");
        let e = Settings::load(None, env(&[("FLIPSIDE_MAIL_POLL_SECONDS", "0")])).unwrap_err();
        assert_eq!(e.name, "mail_poll_seconds");
    }
}

//! Single sign-on end to end against a real OpenID provider: panva's certified
//! `oidc-provider` (npm), run by `tests/oidc-provider/server.mjs` with Node.js, one process per
//! test. The browser below walks the whole authorisation code flow: flipside's start route, the
//! provider's login and consent pages (HTML forms, filled in and posted), and the redirect
//! back to flipside's callback.
//!
//! The provider must be installed first: `npm ci --prefix tests/oidc-provider`. Without it
//! these tests fail and say so; they are never skipped.
use crate::helpers::{Browser, Page, TestApp};
use flipside_core::role::{Role, Scope};
use flipside_web::settings::{OidcSettings, Secret};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use url::Url;

const CLIENT_ID: &str = "flipside-tests";
const CLIENT_SECRET: &str = "a-client-secret-only-for-tests";
const SSO_NAME: &str = "Test University SSO";

/// A running provider; the process is killed when this is dropped (and exits by itself when
/// its stdin closes, should the test process die first).
struct Provider {
    issuer: String,
    _child: Child,
    _stdin: ChildStdin,
}

impl Provider {
    /// Starts the provider with one client whose only redirect URI is `redirect_uri`, and
    /// waits for its ready line. With `claims_in_id_token` the email and name are in the ID
    /// token; otherwise only the userinfo endpoint has them (the provider's default).
    async fn start(redirect_uri: &str, claims_in_id_token: bool) -> Provider {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc-provider");
        assert!(
            dir.join("node_modules/oidc-provider/package.json")
                .is_file(),
            "the OpenID provider used by the SSO tests is not installed: run \
             `npm ci --prefix tests/oidc-provider` at the repository root (Node.js 20.19 or later)"
        );
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("OIDC_PORT", "0")
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URI", redirect_uri)
            .env(
                "OIDC_CLAIMS_IN_ID_TOKEN",
                if claims_in_id_token { "1" } else { "0" },
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `node` (Node.js 20.19 or later is needed for the SSO tests): {e}"
                )
            });
        let stdin = child.stdin.take().expect("piped stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        // Collected so that a provider that fails to start can say why.
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let err_text = stderr.clone();
        let err_task = tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                err_text
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(issuer) = line.strip_prefix("ready ") {
                    return Some(issuer.trim().to_string());
                }
            }
            None
        })
        .await;
        let Ok(Some(issuer)) = ready else {
            let _ = child.kill().await;
            let _ = tokio::time::timeout(Duration::from_secs(5), err_task).await;
            panic!(
                "the OpenID provider did not print its ready line ({}); its stderr:\n{}",
                if ready.is_err() {
                    "timed out after 30 s"
                } else {
                    "it exited"
                },
                stderr.lock().unwrap()
            );
        };
        // Keep reading its output so that it can never block on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Provider {
            issuer,
            _child: child,
            _stdin: stdin,
        }
    }
}

/// flipside configured for SSO with a provider that knows its callback.
struct Sso {
    app: TestApp,
    provider: Provider,
}

/// The provider needs flipside's redirect URI before it starts, and flipside discovers the
/// provider while it is built; so flipside's port is chosen first (bound and released here)
/// and then given to the app.
async fn sso_app(claims_in_id_token: bool) -> Sso {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let public_url = Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let redirect = public_url.join("sign-in/sso/callback").unwrap();
    let provider = Provider::start(redirect.as_str(), claims_in_id_token).await;
    let issuer = provider.issuer.clone();
    let app = TestApp::spawn_with(move |s| {
        s.listen = format!("127.0.0.1:{port}").parse().unwrap();
        s.public_url = public_url;
        s.oidc = Some(OidcSettings {
            issuer_url: issuer,
            client_id: CLIENT_ID.into(),
            client_secret: Some(Secret(CLIENT_SECRET.into())),
            display_name: SSO_NAME.into(),
        });
    })
    .await;
    Sso { app, provider }
}

/// What to do on the provider's pages.
#[derive(Clone, Copy)]
enum AtProvider<'a> {
    /// Sign in with this login (the provider's account id and email) and consent.
    SignInAs(&'a str),
    /// Follow the login page's cancel link.
    Cancel,
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

impl Sso {
    fn callback(&self) -> String {
        self.app.url("/sign-in/sso/callback")
    }

    /// Starts SSO in `b` and goes through the provider's pages until the provider sends the
    /// browser back; returns that callback URL, not yet visited, and the state cookie flipside
    /// set.
    async fn through_provider(
        &self,
        b: &Browser,
        next: &str,
        action: AtProvider<'_>,
    ) -> (Url, String) {
        let start = b
            .get(&format!("/sign-in/sso?next={}", urlencode(next)))
            .await;
        assert_eq!(start.status, 303, "{}", start.body);
        let state_cookie = start
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("flipside_sso_state="))
            .expect("the start sets the state cookie");
        for attribute in [
            "HttpOnly",
            "SameSite=Lax",
            "Path=/sign-in/sso",
            "Max-Age=900",
        ] {
            assert!(
                state_cookie.contains(attribute),
                "{attribute}: {state_cookie}"
            );
        }
        let mut url = Url::parse(start.location()).expect("an absolute URL at the provider");
        assert!(url.as_str().starts_with(&self.provider.issuer), "{url}");
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let param = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(param("response_type").as_deref(), Some("code"));
        assert_eq!(
            param("code_challenge_method").as_deref(),
            Some("S256"),
            "PKCE"
        );
        assert!(param("nonce").is_some_and(|n| n.len() >= 16));
        assert_eq!(param("client_id").as_deref(), Some(CLIENT_ID));

        for _ in 0..20 {
            if url.as_str().starts_with(&self.callback()) {
                return (url, state_cookie);
            }
            let page = read(b.client.get(url.clone()).send().await.unwrap()).await;
            let target = match page.status {
                302 | 303 => page.location().to_string(),
                200 => match action {
                    AtProvider::Cancel => attribute_values(&page.body, "href")
                        .into_iter()
                        .find(|h| h.contains("/abort"))
                        .unwrap_or_else(|| panic!("no cancel link on {url}: {}", page.body)),
                    AtProvider::SignInAs(login) => {
                        let (action, fields) = form(&page.body)
                            .unwrap_or_else(|| panic!("no form on {url}: {}", page.body));
                        let filled: Vec<(String, String)> = fields
                            .into_iter()
                            .map(|(name, value)| match name.as_str() {
                                "login" => (name, login.to_string()),
                                "password" => (name, "any password".to_string()),
                                _ => (name, value),
                            })
                            .collect();
                        let posted = url.join(&action).unwrap();
                        let r =
                            read(b.client.post(posted).form(&filled).send().await.unwrap()).await;
                        assert!(
                            matches!(r.status, 302 | 303),
                            "the provider refused the form on {url}: {} {}",
                            r.status,
                            r.body
                        );
                        r.location().to_string()
                    }
                },
                other => panic!("unexpected {other} from {url}: {}", page.body),
            };
            url = url.join(&target).unwrap();
        }
        panic!("the provider never sent the browser back to flipside (last at {url})");
    }

    /// Signs in through the provider and returns flipside's answer to the callback.
    async fn sign_in(&self, b: &Browser, login: &str, next: &str) -> Page {
        let (callback, _) = self
            .through_provider(b, next, AtProvider::SignInAs(login))
            .await;
        b.get(&path_and_query(&callback)).await
    }
}

fn path_and_query(url: &Url) -> String {
    format!("{}?{}", url.path(), url.query().unwrap_or(""))
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The same URL with one query parameter replaced (or removed, with `None`).
fn with_param(url: &Url, name: &str, value: Option<&str>) -> Url {
    let mut out = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(n, _)| n != name)
        .collect();
    {
        let mut q = out.query_pairs_mut();
        q.clear();
        for (n, v) in &pairs {
            q.append_pair(n, v);
        }
        if let Some(v) = value {
            q.append_pair(name, v);
        }
    }
    out
}

fn param(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every `attr="…"` value in the HTML, in order.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        rest = &rest[at + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(unescape(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out
}

/// The first form's action and its inputs (name, value), as a browser would submit them.
fn form(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let start = html.find("<form")?;
    let end = start + html[start..].find("</form>")?;
    let form = &html[start..end];
    let open_tag = &form[..form.find('>')?];
    let action = attribute_values(open_tag, "action").into_iter().next()?;
    let mut fields = Vec::new();
    for input in form.split("<input").skip(1) {
        let tag = &input[..input.find('>').unwrap_or(input.len())];
        if let Some(name) = attribute_values(tag, "name").into_iter().next() {
            let value = attribute_values(tag, "value")
                .into_iter()
                .next()
                .unwrap_or_default();
            fields.push((name, value));
        }
    }
    Some((action, fields))
}

#[tokio::test]
async fn the_sign_in_page_offers_sso_with_the_configured_name() {
    let sso = sso_app(false).await;
    let page = sso.app.browser().get("/sign-in?next=/schemes").await;
    assert!(
        page.body.contains(&format!("Sign in with {SSO_NAME}")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("href=\"/sign-in/sso?next=/schemes\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_first_sso_sign_in_creates_an_account_without_roles_and_signs_it_in() {
    // The provider's default: email and name only at the userinfo endpoint.
    let sso = sso_app(false).await;
    let b = sso.app.browser();
    let done = sso.sign_in(&b, "nadia.haddad@tu.test", "/account").await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location(),
        "/account",
        "back where the person was going"
    );
    let session = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("flipside_session="))
        .expect("a session");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(
        done.set_cookies()
            .iter()
            .any(|c| c.starts_with("flipside_sso_state=;") && c.contains("Max-Age=0")),
        "the state cookie is cleared: {:?}",
        done.set_cookies()
    );

    let home = b.get("/").await;
    assert!(home.body.contains("Welcome, nadia.haddad"), "{}", home.body);
    let user = sso
        .app
        .store
        .user_by_email("nadia.haddad@tu.test")
        .await
        .expect("an account was created");
    assert!(
        user.password_hash.is_none(),
        "an SSO account has no password"
    );
    assert!(
        sso.app.store.grants_of(user.id).await.unwrap().is_empty(),
        "no roles until an admin grants them"
    );
    let audit = sso
        .app
        .store
        .audit_entries(Some("sign_in"), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail, "oidc");
    assert_eq!(audit[0].actor_id, Some(user.id));

    // Signing in again finds the same account (by issuer and subject), in a new session.
    let again = sso.app.browser();
    let done = sso.sign_in(&again, "nadia.haddad@tu.test", "/").await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        sso.app
            .store
            .users()
            .await
            .unwrap()
            .iter()
            .filter(|u| u.email == "nadia.haddad@tu.test")
            .count(),
        1
    );
    assert_eq!(
        sso.app
            .store
            .audit_entries(Some("sign_in"), 10)
            .await
            .unwrap()[0]
            .actor_id,
        Some(user.id)
    );
}

#[tokio::test]
async fn an_existing_account_with_the_same_verified_email_is_linked_and_keeps_its_roles() {
    // Email and name in the ID token itself this time (no userinfo request needed).
    let sso = sso_app(true).await;
    let id = sso
        .app
        .person(
            "ruth.okafor@tu.test",
            &[(Role::Coordinator, Scope::Organisation)],
        )
        .await;
    let users_before = sso.app.store.users().await.unwrap().len();
    let b = sso.app.browser();
    // An off-site `next` is not followed.
    let done = sso.sign_in(&b, "Ruth.Okafor@tu.test", "//evil.test/").await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/");
    assert_eq!(
        sso.app.store.users().await.unwrap().len(),
        users_before,
        "no new account"
    );
    let audit = sso
        .app
        .store
        .audit_entries(Some("sign_in"), 10)
        .await
        .unwrap();
    assert_eq!(
        (audit[0].actor_id, audit[0].detail.as_str()),
        (Some(id), "oidc")
    );
    let home = b.get("/").await;
    assert!(home.body.contains("Welcome, ruth okafor"), "{}", home.body);
    assert_eq!(
        b.get("/schemes").await.status,
        200,
        "the coordinator's roles came with the account"
    );
}

#[tokio::test]
async fn an_email_the_provider_has_not_verified_is_refused_and_not_linked() {
    let sso = sso_app(true).await;
    sso.app
        .person(
            "unverified.sam@tu.test",
            &[(Role::Admin, Scope::Organisation)],
        )
        .await;
    let users_before = sso.app.store.users().await.unwrap().len();
    let b = sso.app.browser();
    let done = sso.sign_in(&b, "unverified.sam@tu.test", "/").await;
    assert_eq!(done.status, 400, "{}", done.body);
    assert!(
        done.body
            .contains("has not confirmed that your email address is yours"),
        "{}",
        done.body
    );
    assert!(
        !done
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("flipside_session="))
    );
    assert!(!b.get_ok("/").await.body.contains("Welcome, unverified"));
    assert!(
        sso.app
            .store
            .audit_entries(Some("sign_in"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let failed = sso
        .app
        .store
        .audit_entries(Some("sign_in_failed"), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .detail
            .starts_with("oidc: the provider has not verified"),
        "{}",
        failed[0].detail
    );
    assert_eq!(
        sso.app.store.users().await.unwrap().len(),
        users_before,
        "no account was created"
    );
}

#[tokio::test]
async fn a_replayed_callback_is_refused_even_with_the_browser_s_state_cookie() {
    let sso = sso_app(false).await;
    let b = sso.app.browser();
    let (callback, state_cookie) = sso
        .through_provider(&b, "/", AtProvider::SignInAs("omar@tu.test"))
        .await;
    let first = b.get(&path_and_query(&callback)).await;
    assert_eq!(first.status, 303, "{}", first.body);

    // An attacker who captured both the callback URL and the cookie.
    let cookie = state_cookie.split(';').next().unwrap().to_string();
    let attacker = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let replay = read(
        attacker
            .get(callback.as_str())
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(replay.status, 400, "{}", replay.body);
    assert!(
        replay.body.contains("already been used or has expired"),
        "{}",
        replay.body
    );
    assert!(
        !replay
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("flipside_session="))
    );
    let failed = sso
        .app
        .store
        .audit_entries(Some("sign_in_failed"), 10)
        .await
        .unwrap();
    assert_eq!(failed[0].detail, "oidc: unknown, used or expired state");
    assert_eq!(
        sso.app
            .store
            .audit_entries(Some("sign_in"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_forged_state_or_a_callback_from_another_browser_is_refused() {
    let sso = sso_app(false).await;
    let mallory = sso.app.browser();
    let victim = sso.app.browser();
    // Mallory signs in at the provider as herself and sends the victim the callback link
    // (login CSRF); the victim's browser has its own sign-in in progress, or none.
    let (mallory_callback, _) = sso
        .through_provider(&mallory, "/", AtProvider::SignInAs("mallory@tu.test"))
        .await;
    let r = victim.get(&path_and_query(&mallory_callback)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("not started in this browser"), "{}", r.body);
    let _ = sso
        .through_provider(&victim, "/", AtProvider::SignInAs("victim@tu.test"))
        .await;
    let r = victim.get(&path_and_query(&mallory_callback)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        !victim.get_ok("/").await.body.contains("Welcome"),
        "the victim is not signed in as mallory"
    );

    // A made-up state, with or without a matching cookie.
    let (callback, _) = sso
        .through_provider(&victim, "/", AtProvider::SignInAs("victim@tu.test"))
        .await;
    let forged = with_param(&callback, "state", Some("forged-state.Lw"));
    let r = victim.get(&path_and_query(&forged)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = read(
        client
            .get(forged.as_str())
            .header("cookie", "flipside_sso_state=forged-state.Lw")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("already been used or has expired"),
        "{}",
        r.body
    );
    let r = victim
        .get(&path_and_query(&with_param(&callback, "state", None)))
        .await;
    assert_eq!(r.status, 400, "{}", r.body);

    // Mallory's own, untouched flow still works in her own browser: the refusals above were
    // about the state, not a broken flow.
    let r = mallory.get(&path_and_query(&mallory_callback)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let details: Vec<String> = sso
        .app
        .store
        .audit_entries(Some("sign_in_failed"), 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert!(
        details
            .iter()
            .filter(|d| *d == "oidc: state does not match this browser")
            .count()
            >= 3,
        "{details:?}"
    );
    assert!(
        details.iter().all(|d| d.starts_with("oidc: ")),
        "{details:?}"
    );
    assert_eq!(
        sso.app
            .store
            .audit_entries(Some("sign_in"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_tampered_or_missing_code_is_refused() {
    let sso = sso_app(false).await;
    let b = sso.app.browser();
    let (callback, _) = sso
        .through_provider(&b, "/", AtProvider::SignInAs("lena@tu.test"))
        .await;
    let code = param(&callback, "code");
    assert!(!code.is_empty());
    let tampered = with_param(&callback, "code", Some(&format!("{code}x")));
    let r = b.get(&path_and_query(&tampered)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body
            .contains("could not complete the sign-in with Test University SSO"),
        "{}",
        r.body
    );
    assert!(
        !r.set_cookies()
            .iter()
            .any(|c| c.starts_with("flipside_session="))
    );
    let failed = sso
        .app
        .store
        .audit_entries(Some("sign_in_failed"), 10)
        .await
        .unwrap();
    assert!(
        failed[0]
            .detail
            .starts_with("oidc: the provider did not accept the sign-in code"),
        "{}",
        failed[0].detail
    );
    // The state was used up by the failed attempt, so the genuine code cannot follow it.
    let r = b.get(&path_and_query(&callback)).await;
    assert_eq!(r.status, 400, "{}", r.body);

    let (callback, _) = sso
        .through_provider(&b, "/", AtProvider::SignInAs("lena@tu.test"))
        .await;
    let r = b
        .get(&path_and_query(&with_param(&callback, "code", None)))
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("has no sign-in code"), "{}", r.body);
    assert_eq!(
        sso.app
            .store
            .audit_entries(Some("sign_in_failed"), 10)
            .await
            .unwrap()[0]
            .detail,
        "oidc: no code"
    );
    assert!(
        sso.app
            .store
            .audit_entries(Some("sign_in"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        sso.app.store.user_by_email("lena@tu.test").await.is_err(),
        "no account was created"
    );
}

#[tokio::test]
async fn cancelling_at_the_provider_is_reported_and_audited() {
    let sso = sso_app(false).await;
    let b = sso.app.browser();
    let (callback, _) = sso.through_provider(&b, "/", AtProvider::Cancel).await;
    assert_eq!(param(&callback, "error"), "access_denied");
    let r = b.get(&path_and_query(&callback)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body
            .contains("Test University SSO did not sign you in (access_denied)"),
        "{}",
        r.body
    );
    let failed = sso
        .app
        .store
        .audit_entries(Some("sign_in_failed"), 10)
        .await
        .unwrap();
    assert_eq!(
        failed[0].detail,
        "oidc: the provider answered access_denied"
    );
}

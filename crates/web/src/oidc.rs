//! OpenID Connect sign-in (authorisation code flow with PKCE), for institutional SSO.
//!
//! At start-up [`OidcProvider::discover`] reads the issuer's discovery document and signing
//! keys. A sign-in then goes:
//!
//! 1. `GET /sign-in/sso`: [`OidcProvider::authorise`] makes a random `state`, PKCE challenge
//!    and nonce; the handler stores the verifier and nonce under the state (single use, 15
//!    minutes), binds the state to the browser with a cookie, and redirects to the provider.
//! 2. `GET /sign-in/sso/callback`: the handler checks the state against the cookie and takes
//!    the stored flow; [`OidcProvider::finish`] exchanges the code (with the PKCE verifier),
//!    verifies the ID token (signature, issuer, audience, expiry, nonce, `at_hash`) and reads
//!    the email from it, or from the userinfo endpoint when the ID token does not carry it.
//! 3. [`Identity::account_details`] decides whether flipside may use the identity: accounts
//!    are linked by email, so only an email the provider has *verified* is accepted.
use crate::settings::OidcSettings;
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, reqwest,
};
use std::time::Duration;

/// The client type `from_provider_metadata` gives: authorisation endpoint known, token and
/// userinfo endpoints as the provider's metadata says.
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A discovered OpenID provider, ready to start and complete sign-ins.
pub struct OidcProvider {
    /// The settings it was discovered from (the display name is shown on the sign-in page).
    pub settings: OidcSettings,
    client: DiscoveredClient,
    /// For the token and userinfo requests. It follows no redirects: a provider answer that
    /// redirects elsewhere must not make flipside fetch an arbitrary URL (SSRF).
    http: reqwest::Client,
}

/// A sign-in begun: where to send the browser, and what to keep until it comes back.
#[derive(Debug)]
pub struct Authorisation {
    pub url: url::Url,
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: String,
}

/// Who the provider says signed in, from a verified ID token (and its userinfo endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// `None` when the provider did not say.
    pub email_verified: Option<bool>,
    pub name: Option<String>,
}

/// The email and name flipside may use for an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    pub email: String,
    pub name: String,
}

/// Why a sign-in through the provider did not complete. The message is safe to show; it
/// never contains tokens.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("the provider did not accept the sign-in code: {0}")]
    CodeExchange(String),
    #[error("the provider sent no ID token")]
    NoIdToken,
    #[error("the ID token is not valid: {0}")]
    IdToken(String),
    #[error("the userinfo request failed: {0}")]
    UserInfo(String),
    #[error("the provider sent no email address")]
    NoEmail,
    #[error("the provider has not verified the email address {0}")]
    EmailNotVerified(String),
}

impl Identity {
    /// Accounts are linked by email, so an email the provider has not verified (or not said
    /// it verified) is refused rather than trusted: otherwise anyone who can set an arbitrary
    /// email at the provider could take over the flipside account with that email. Creating
    /// a separate account instead would only fail later on the same email, so refusing with a
    /// clear message is the honest answer.
    pub fn account_details(&self) -> Result<AccountDetails, SsoError> {
        let email = match self.email.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => e.to_string(),
            _ => return Err(SsoError::NoEmail),
        };
        if self.email_verified != Some(true) {
            return Err(SsoError::EmailNotVerified(email));
        }
        let name = match self.name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => email.split('@').next().unwrap_or(&email).to_string(),
        };
        Ok(AccountDetails { email, name })
    }
}

/// A fresh `state` that also carries the path to return to after sign-in. It is stored
/// server-side as a whole, so the path cannot be changed without the flow being refused; the
/// path is still sanitised again when read back.
pub fn new_state(next: &str) -> String {
    let random = CsrfToken::new_random_len(32);
    format!(
        "{}.{}",
        random.secret(),
        URL_SAFE_NO_PAD.encode(next.as_bytes())
    )
}

/// The path carried by a state from [`new_state`].
pub fn next_from_state(state: &str) -> Option<String> {
    let (_, encoded) = state.rsplit_once('.')?;
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    String::from_utf8(bytes).ok()
}

impl OidcProvider {
    /// Discovers the provider's metadata and keys from its issuer URL.
    pub async fn discover(
        settings: &OidcSettings,
        redirect_url: url::Url,
    ) -> anyhow::Result<OidcProvider> {
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .context("building the HTTP client for OpenID Connect")?;
        let issuer = IssuerUrl::new(settings.issuer_url.clone())
            .with_context(|| format!("'{}' is not an issuer URL", settings.issuer_url))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| anyhow::anyhow!(chain(&e)))
            .context("reading the discovery document and signing keys")?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.clone()),
            settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.0.clone())),
        )
        .set_redirect_uri(RedirectUrl::from_url(redirect_url));
        Ok(OidcProvider {
            settings: settings.clone(),
            client,
            http,
        })
    }

    /// Starts a sign-in with the given `state` (see [`new_state`]).
    pub fn authorise(&self, state: String) -> Authorisation {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Authorisation {
            url,
            state: state.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        }
    }

    /// Completes a sign-in: exchanges the code, verifies the ID token and reads who it is.
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: String,
        nonce: String,
    ) -> Result<Identity, SsoError> {
        let token = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoError::CodeExchange(chain(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::CodeExchange(chain(&e)))?;
        let id_token = token.id_token().ok_or(SsoError::NoIdToken)?;
        let verifier = self.client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce))
            .map_err(|e| SsoError::IdToken(chain(&e)))?;
        // The ID token vouches for the access token too, when it carries its hash.
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token
                .signing_alg()
                .map_err(|e| SsoError::IdToken(chain(&e)))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| SsoError::IdToken(chain(&e)))?;
            let actual = AccessTokenHash::from_token(token.access_token(), alg, key)
                .map_err(|e| SsoError::IdToken(chain(&e)))?;
            if actual != *expected {
                return Err(SsoError::IdToken(
                    "the access token hash does not match".into(),
                ));
            }
        }
        let mut identity = Identity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
        };
        if identity.email.is_none() {
            // Many providers (this one's reference implementation included) keep the profile
            // claims of the code flow at the userinfo endpoint. The request checks that the
            // answer is about the same subject as the ID token.
            let info: CoreUserInfoClaims = self
                .client
                .user_info(token.access_token().clone(), Some(claims.subject().clone()))
                .map_err(|e| SsoError::UserInfo(chain(&e)))?
                .request_async(&self.http)
                .await
                .map_err(|e| SsoError::UserInfo(chain(&e)))?;
            // Email and its verification come from the same answer, never mixed.
            identity.email = info.email().map(|e| e.to_string());
            identity.email_verified = info.email_verified();
            if identity.name.is_none() {
                identity.name = info.name().and_then(|n| n.get(None)).map(|n| n.to_string());
            }
        }
        Ok(identity)
    }
}

/// An error and its causes on one line (the library's top-level messages are terse).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(email: Option<&str>, verified: Option<bool>, name: Option<&str>) -> Identity {
        Identity {
            issuer: "https://sso.tu.test".into(),
            subject: "abc".into(),
            email: email.map(str::to_string),
            email_verified: verified,
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn a_verified_email_is_used_with_the_name_or_the_email_s_local_part() {
        let d = identity(Some("ana@tu.test"), Some(true), Some("Ana Silva"))
            .account_details()
            .unwrap();
        assert_eq!(d.email, "ana@tu.test");
        assert_eq!(d.name, "Ana Silva");
        let d = identity(Some("ana@tu.test"), Some(true), Some("  "))
            .account_details()
            .unwrap();
        assert_eq!(d.name, "ana");
    }

    #[test]
    fn an_unverified_or_unstated_email_is_refused_and_so_is_none() {
        for verified in [Some(false), None] {
            assert!(matches!(
                identity(Some("ana@tu.test"), verified, None).account_details(),
                Err(SsoError::EmailNotVerified(e)) if e == "ana@tu.test"
            ));
        }
        for email in [None, Some(""), Some("  ")] {
            assert!(matches!(
                identity(email, Some(true), None).account_details(),
                Err(SsoError::NoEmail)
            ));
        }
    }

    #[test]
    fn the_state_carries_the_return_path_and_is_different_every_time() {
        let a = new_state("/schemes/3?tab=pairs");
        let b = new_state("/schemes/3?tab=pairs");
        assert_ne!(a, b);
        assert_eq!(next_from_state(&a).as_deref(), Some("/schemes/3?tab=pairs"));
        assert!(a.len() > 40, "enough randomness: {a}");
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "URL-safe: {a}"
        );
        assert_eq!(next_from_state("no-dot"), None);
        assert_eq!(next_from_state("x.%%%"), None);
    }
}

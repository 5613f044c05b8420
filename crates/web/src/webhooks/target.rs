//! Where a delivery may connect: the check against server-side request forgery at sending
//! time.
//!
//! A subscription's URL was checked when it was made, but a name may resolve elsewhere later
//! (or answer one address to the check and another to the connection: DNS rebinding). So the
//! delivery client resolves names through [`CheckedResolver`], which refuses a name that
//! resolves to any address that is not public and hands the connection exactly the addresses
//! it checked: nothing is resolved twice. A URL naming an address outright never reaches a
//! resolver, so [`literal_refusal`] checks it before sending.
use flipside_core::webhook::{address_kind, refusal};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::IpAddr;

/// A delivery not sent because its target is not public; the message says why, for the
/// administrators' delivery list.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Resolves with the system's resolver, then refuses a name that leads to any address that
/// is not public (unless private targets are allowed).
pub struct CheckedResolver {
    pub allow_private_targets: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private_targets;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow && let Some(bad) = addrs.iter().find(|a| !address_kind(a.ip()).is_public()) {
                // One private address among public ones is refused too: the connection may
                // try any of them.
                return Err(Box::new(Refused(refusal(&host, bad.ip())))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The refusal of a URL whose host is an address that is not public.
pub fn literal_refusal(url: &url::Url, allow_private_targets: bool) -> Option<Refused> {
    if allow_private_targets {
        return None;
    }
    let ip = match url.host()? {
        url::Host::Ipv4(a) => IpAddr::V4(a),
        url::Host::Ipv6(a) => IpAddr::V6(a),
        url::Host::Domain(_) => return None,
    };
    let host = url.host_str()?;
    (!address_kind(ip).is_public()).then(|| Refused(refusal(host, ip)))
}

/// The refusal inside a request's error, if the resolver refused the target.
pub fn refused_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r);
        }
        cause = e.source();
    }
    None
}

/// An error and its causes on one line: reqwest's own message ("error sending request")
/// hides what went wrong (a refused connection, a certificate, a timeout).
pub fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = e.source();
    }
    text
}

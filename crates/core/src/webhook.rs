//! Webhooks (issue 16): the events an organisation may subscribe an endpoint to, and which
//! endpoints are acceptable.
//!
//! A payload carries ids, states and links only: never a name, a note, a concern's words or
//! anything of the special categories. [`EventKind`] is the closed list of what is sent.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::Url;

/// An event a subscription can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    ApplicationDecided,
    PairsPublished,
    MeetingConfirmed,
    ActionStatusChanged,
    SurveyWaveOpened,
    ReportPublished,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::ApplicationDecided,
        EventKind::PairsPublished,
        EventKind::MeetingConfirmed,
        EventKind::ActionStatusChanged,
        EventKind::SurveyWaveOpened,
        EventKind::ReportPublished,
    ];

    /// The name sent in `Flipside-Event` and the payload's `event`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ApplicationDecided => "application.decided",
            EventKind::PairsPublished => "pairs.published",
            EventKind::MeetingConfirmed => "meeting.confirmed",
            EventKind::ActionStatusChanged => "action.status_changed",
            EventKind::SurveyWaveOpened => "survey_wave.opened",
            EventKind::ReportPublished => "report.published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::ApplicationDecided => "An application is decided",
            EventKind::PairsPublished => "A cycle's pairs are published",
            EventKind::MeetingConfirmed => "A meeting is confirmed",
            EventKind::ActionStatusChanged => "An action changes status",
            EventKind::SurveyWaveOpened => "A survey wave opens (its invitations are sent)",
            EventKind::ReportPublished => "A report is published",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Reads a list of event names; the first unknown one is the error.
pub fn parse_events<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<EventKind>, String> {
    let mut kinds = Vec::new();
    for name in names {
        let kind = EventKind::parse(name.trim()).ok_or_else(|| {
            format!(
                "'{}' is not an event: use {}.",
                name.trim(),
                EventKind::ALL.map(|k| k.as_str()).join(", ")
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err("Choose at least one event.".into());
    }
    kinds.sort();
    Ok(kinds)
}

/// The longest endpoint accepted.
pub const MAX_URL_CHARS: usize = 500;

/// Checks an endpoint: an `https://` URL without credentials whose host is not, on its face,
/// a private place: an address of a private, loopback, link-local, unique-local, shared
/// (CGNAT), multicast, reserved or unspecified network, or a name reserved for this machine
/// (`localhost`). A name is resolved only when a delivery is sent, and checked again then
/// ([`address_kind`]), since what it resolves to may change.
///
/// With `allow_private_targets` (a deployment that sends to receivers on its own network, the
/// demo and the tests), private targets are accepted, and so is `http://` to them; a public
/// endpoint still needs `https://`.
pub fn parse_endpoint(raw: &str, allow_private_targets: bool) -> Result<Url, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter the endpoint's URL.".into());
    }
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(format!(
            "The URL is longer than {MAX_URL_CHARS} characters."
        ));
    }
    let url = Url::parse(raw).map_err(|e| format!("This is not a URL ({e})."))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "Leave credentials out of the URL: receivers check the signature instead.".into(),
        );
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The URL names no host.".into());
    }
    if !matches!(url.scheme(), "https" | "http") {
        return Err("The URL must start with https://.".into());
    }
    let private = private_host(&url);
    match (url.scheme(), private, allow_private_targets) {
        (_, Some(what), false) => Err(format!(
            "The URL points at {what}: webhooks are sent to public addresses only (the \
             server's setting webhooks.allow_private_targets allows private networks)."
        )),
        ("https", _, _) | ("http", Some(_), true) => Ok(url),
        (_, None, true) => Err(
            "Use https://, or http:// to a private address or this machine (127.0.0.1 or localhost)."
                .into(),
        ),
        _ => Err("The URL must start with https://.".into()),
    }
}

/// What a URL's host is when it is private on its face: a literal address of a network other
/// than the public internet, or a name reserved for this machine (RFC 6761).
fn private_host(url: &Url) -> Option<String> {
    let ip = match url.host()? {
        url::Host::Ipv4(a) => IpAddr::V4(a),
        url::Host::Ipv6(a) => IpAddr::V6(a),
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            return (d == "localhost" || d.ends_with(".localhost"))
                .then(|| format!("{d}, a name for this machine"));
        }
    };
    let kind = address_kind(ip);
    (!kind.is_public()).then(|| format!("{ip}, {}", kind.describe()))
}

/// The network an address belongs to, as far as sending a webhook there is concerned: only a
/// [`AddressKind::Public`] one may be reached, unless the deployment allows private targets.
/// A server that POSTs wherever an administrator (or a stolen administrator's token) says
/// must not become a way into the networks behind it: the cloud's metadata service
/// (169.254.169.254), a database on 10.0.0.5, an admin page on 127.0.0.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    /// An address of the public internet.
    Public,
    /// `0.0.0.0/8`, `::`: "this host" or no address, which connects to this machine.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16` (RFC 1918), and IPv6 site-local `fec0::/10`.
    Private,
    /// `100.64.0.0/10`, the carrier-grade NAT range (RFC 6598).
    SharedCgnat,
    /// `169.254/16` (where cloud metadata services answer), `fe80::/10`.
    LinkLocal,
    /// `fc00::/7` (RFC 4193).
    UniqueLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// The ranges kept for documentation (`192.0.2/24`, `2001:db8::/32`, ...).
    Documentation,
    /// Anything else not routed on the internet: `240/4`, benchmarking `198.18/15`, the IETF's
    /// `192.0.0/24` and `2001::/23` (Teredo among them), IPv6 outside `2000::/3`.
    Reserved,
}

impl AddressKind {
    pub fn is_public(self) -> bool {
        self == AddressKind::Public
    }

    /// The kind in words, after the address: "127.0.0.1, a loopback address (this machine)".
    pub fn describe(self) -> &'static str {
        match self {
            AddressKind::Public => "a public address",
            AddressKind::Unspecified => "an unspecified address (this machine)",
            AddressKind::Loopback => "a loopback address (this machine)",
            AddressKind::Private => "a private network's address",
            AddressKind::SharedCgnat => "a shared (carrier-grade NAT) address",
            AddressKind::LinkLocal => "a link-local address",
            AddressKind::UniqueLocal => "a unique-local (private) address",
            AddressKind::Multicast => "a multicast address",
            AddressKind::Broadcast => "the broadcast address",
            AddressKind::Documentation => "an address kept for documentation",
            AddressKind::Reserved => "a reserved address",
        }
    }
}

/// Which network `ip` belongs to. An IPv6 address that carries an IPv4 one (mapped
/// `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`)
/// is judged by the IPv4 address it leads to.
pub fn address_kind(ip: IpAddr) -> AddressKind {
    match ip {
        IpAddr::V4(a) => ipv4_kind(a),
        IpAddr::V6(a) => ipv6_kind(a),
    }
}

fn ipv4_kind(a: Ipv4Addr) -> AddressKind {
    let [first, second, third, _] = a.octets();
    if first == 0 {
        AddressKind::Unspecified
    } else if a.is_loopback() {
        AddressKind::Loopback
    } else if a.is_private() {
        AddressKind::Private
    } else if first == 100 && (second & 0xc0) == 64 {
        AddressKind::SharedCgnat
    } else if a.is_link_local() {
        AddressKind::LinkLocal
    } else if a.is_broadcast() {
        AddressKind::Broadcast
    } else if a.is_multicast() {
        AddressKind::Multicast
    } else if a.is_documentation() {
        AddressKind::Documentation
    } else if (first, second, third) == (192, 0, 0)
        || (first == 198 && (second & 0xfe) == 18)
        || first >= 240
    {
        AddressKind::Reserved
    } else {
        AddressKind::Public
    }
}

fn ipv6_kind(a: Ipv6Addr) -> AddressKind {
    let s = a.segments();
    let embedded = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if a.is_unspecified() {
        AddressKind::Unspecified
    } else if a.is_loopback() {
        AddressKind::Loopback
    } else if let Some(v4) = a.to_ipv4_mapped() {
        ipv4_kind(v4)
    } else if s[..6] == [0; 6] || (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4]) {
        // IPv4-compatible (deprecated) and NAT64: the packet goes to the IPv4 address.
        ipv4_kind(embedded())
    } else if s[0] == 0x2002 {
        // 6to4: the relay sends it on to the IPv4 address in the next 32 bits.
        ipv4_kind(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ))
    } else if s[0] & 0xff00 == 0xff00 {
        AddressKind::Multicast
    } else if s[0] & 0xfe00 == 0xfc00 {
        AddressKind::UniqueLocal
    } else if s[0] & 0xffc0 == 0xfe80 {
        AddressKind::LinkLocal
    } else if s[0] & 0xffc0 == 0xfec0 || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1) {
        // Site-local (deprecated) and the local-use NAT64 prefix 64:ff9b:1::/48.
        AddressKind::Private
    } else if (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] == 0x3fff && s[1] < 0x1000) {
        AddressKind::Documentation
    } else if (s[0] == 0x2001 && s[1] < 0x0200) || s[0] & 0xe000 != 0x2000 {
        AddressKind::Reserved
    } else {
        AddressKind::Public
    }
}

/// Why a delivery to `host` is not sent: it resolved to `ip`, which is not public.
pub fn refusal(host: &str, ip: IpAddr) -> String {
    let kind = address_kind(ip);
    let what = if host.trim_matches(['[', ']']) == ip.to_string() {
        format!("{ip} is {}", kind.describe())
    } else {
        format!("{host} resolves to {ip}, {}", kind.describe())
    };
    format!(
        "refused: {what}; webhooks are sent to public addresses only (the server's setting \
         webhooks.allow_private_targets allows private networks)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_public_https_unless_private_targets_are_allowed() {
        let ok = |url: &str, allow: bool| parse_endpoint(url, allow).is_ok();
        assert!(ok("https://hooks.example.ac.uk/flipside", false));
        assert!(ok("https://93.184.215.14/in", false));
        assert!(!ok("http://hooks.example.ac.uk/in", false));
        assert!(
            !ok("http://hooks.example.ac.uk/in", true),
            "public needs https"
        );
        for private in [
            "https://127.0.0.1:9000/in",
            "https://localhost/in",
            "https://LOCALHOST./in",
            "https://api.localhost/in",
            "https://10.1.2.3/in",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/in",
            "https://[::ffff:127.0.0.1]/in",
            "https://[fd00::1]/in",
            "https://0.0.0.0/in",
            // Other spellings of 127.0.0.1 that the URL standard reads as it.
            "https://2130706433/in",
            "https://0x7f.1/in",
        ] {
            let e = parse_endpoint(private, false).unwrap_err();
            assert!(e.contains("allow_private_targets"), "{private}: {e}");
            assert!(ok(private, true), "{private} when allowed");
        }
        assert!(ok("http://127.0.0.1:9000/in", true));
        assert!(ok("http://localhost/in", true));
        assert!(ok("http://192.168.1.20/in", true));
        assert!(!ok("http://127.0.0.1:9000/in", false));
        assert!(!ok("https://user:pw@example.org/", false));
        assert!(!ok("ftp://example.org/", true));
        assert!(!ok("", true));
        assert!(!ok("not a url", true));
        assert!(
            parse_endpoint("https://10.0.0.5/in", false)
                .unwrap_err()
                .contains("10.0.0.5, a private network's address")
        );
    }

    #[test]
    fn addresses_are_classified_by_the_network_they_reach() {
        use AddressKind::*;
        let table = [
            // IPv4
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("10.0.0.1", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("172.32.0.1", Public),
            ("192.168.0.1", Private),
            ("100.64.0.1", SharedCgnat),
            ("100.127.255.255", SharedCgnat),
            ("100.128.0.1", Public),
            ("169.254.169.254", LinkLocal),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("255.255.255.255", Broadcast),
            ("192.0.2.1", Documentation),
            ("198.51.100.7", Documentation),
            ("203.0.113.9", Documentation),
            ("192.0.0.8", Reserved),
            ("198.18.0.1", Reserved),
            ("198.19.255.1", Reserved),
            ("240.0.0.1", Reserved),
            ("8.8.8.8", Public),
            ("1.1.1.1", Public),
            ("93.184.215.14", Public),
            ("11.0.0.1", Public),
            // IPv6
            ("::", Unspecified),
            ("::1", Loopback),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fc00::1", UniqueLocal),
            ("fd12:3456::1", UniqueLocal),
            ("fec0::1", Private),
            ("ff02::1", Multicast),
            ("ff0e::1", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001::1", Reserved),
            ("2001:1::1", Reserved),
            ("100::1", Reserved),
            ("4000::1", Reserved),
            ("2606:4700:4700::1111", Public),
            ("2a00:1450:4009:81f::200e", Public),
            // IPv6 carrying an IPv4 address: judged by the IPv4 one.
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:10.0.0.1", Private),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::ffff:8.8.8.8", Public),
            ("::127.0.0.1", Loopback),
            ("::ffff:0.0.0.0", Unspecified),
            ("64:ff9b::127.0.0.1", Loopback),
            ("64:ff9b::10.1.1.1", Private),
            ("64:ff9b::8.8.8.8", Public),
            ("64:ff9b:1::1", Private),
            ("2002:7f00:1::1", Loopback),
            ("2002:a9fe:a9fe::1", LinkLocal),
            ("2002:808:808::1", Public),
        ];
        for (address, kind) in table {
            let ip: IpAddr = address.parse().unwrap();
            assert_eq!(address_kind(ip), kind, "{address}");
            assert_eq!(kind.is_public(), kind == Public);
        }
    }

    #[test]
    fn a_refusal_names_the_host_the_address_and_the_setting() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let e = refusal("hooks.example.org", ip);
        assert!(
            e.contains("hooks.example.org resolves to 127.0.0.1, a loopback address"),
            "{e}"
        );
        assert!(e.contains("webhooks.allow_private_targets"), "{e}");
        let e = refusal("[::1]", "::1".parse().unwrap());
        assert!(e.starts_with("refused: ::1 is a loopback address"), "{e}");
    }

    #[test]
    fn events_parse_without_repeats_and_unknown_names_are_named() {
        assert_eq!(
            parse_events([
                "meeting.confirmed",
                "application.decided",
                "meeting.confirmed"
            ])
            .unwrap(),
            vec![EventKind::ApplicationDecided, EventKind::MeetingConfirmed]
        );
        assert!(
            parse_events(["meeting.held"])
                .unwrap_err()
                .contains("'meeting.held'")
        );
        assert!(parse_events([]).is_err());
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }
}

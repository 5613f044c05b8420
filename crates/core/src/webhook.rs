//! Webhooks (issue 16): the events an organisation may subscribe an endpoint to, and which
//! endpoints are acceptable.
//!
//! A payload carries ids, states and links only: never a name, a note, a concern's words or
//! anything of the special categories. [`EventKind`] is the closed list of what is sent.
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

/// Checks an endpoint: an `https://` URL without credentials; or, when `allow_loopback_http`
/// (a development or test instance, whose own address is on this machine), also `http://` to
/// this machine (`127.0.0.1`, `::1`, `localhost`), so that a receiver can run beside it.
pub fn parse_endpoint(raw: &str, allow_loopback_http: bool) -> Result<Url, String> {
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
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_loopback_http && is_loopback(&url) => Ok(url),
        "http" if allow_loopback_http => {
            Err("Use https://, or http:// to this machine (127.0.0.1 or localhost).".into())
        }
        _ => Err("The URL must start with https://.".into()),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_in_development_this_machine_over_http() {
        assert!(parse_endpoint("https://hooks.example.ac.uk/flipside", false).is_ok());
        assert!(parse_endpoint("http://127.0.0.1:9000/in", false).is_err());
        assert!(parse_endpoint("http://127.0.0.1:9000/in", true).is_ok());
        assert!(parse_endpoint("http://localhost/in", true).is_ok());
        assert!(parse_endpoint("http://example.org/in", true).is_err());
        assert!(parse_endpoint("https://user:pw@example.org/", false).is_err());
        assert!(parse_endpoint("ftp://example.org/", true).is_err());
        assert!(parse_endpoint("", true).is_err());
        assert!(parse_endpoint("not a url", true).is_err());
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

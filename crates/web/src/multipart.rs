//! A small reader for `multipart/form-data` bodies that are already in memory. The CSRF
//! middleware buffers every unsafe request's body to find the `csrf` field, so the upload
//! handler reads the same bytes with the same parser rather than a second, streaming one.

// How large an upload may be is the route's limit (`crate::limits::UPLOAD_ROUTES`).

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    /// Present for file inputs (empty when no file was chosen).
    pub filename: Option<String>,
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A parameter (`name="…"`) of a Content-Disposition header value.
fn param(disposition: &str, key: &str) -> Option<String> {
    disposition.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Splits a body into its parts; `None` when it is not well-formed multipart.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0)? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Some(parts);
        }
        let start = at + 2; // the CRLF after the delimiter
        let headers_end = find(body, b"\r\n\r\n", start)?;
        let headers = std::str::from_utf8(body.get(start..headers_end)?).ok()?;
        let content_start = headers_end + 4;
        let next = find(body, delimiter, content_start)?;
        // The CRLF before the next delimiter belongs to the delimiter.
        let content_end = next.checked_sub(2)?.max(content_start);
        let disposition = headers.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(v.trim())
        })?;
        parts.push(Part {
            name: param(disposition, "name")?,
            filename: param(disposition, "filename"),
            data: &body[content_start..content_end],
        });
        at = next + delimiter.len();
    }
}

/// The parts of a request body, when its content type says it is multipart.
pub fn parts<'a>(headers: &axum::http::HeaderMap, body: &'a [u8]) -> Option<Vec<Part<'a>>> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    parse(body, &boundary(content_type)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"students\"; filename=\"students.csv\"\r\nContent-Type: text/csv\r\n\r\nstudent_id\r\nS1\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"tutors\"; filename=\"\"\r\n\r\n\r\n--XyZ--\r\n";

    #[test]
    fn fields_and_files_are_read_with_their_exact_bytes() {
        assert_eq!(
            boundary("multipart/form-data; boundary=XyZ").as_deref(),
            Some("XyZ")
        );
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        let parts = parse(BODY, "XyZ").unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].data),
            ("csrf", &b"abc123"[..])
        );
        assert_eq!(parts[0].filename, None);
        assert_eq!(parts[1].filename.as_deref(), Some("students.csv"));
        assert_eq!(parts[1].data, b"student_id\r\nS1\r\n");
        assert_eq!(parts[2].data, b"");
    }

    #[test]
    fn a_truncated_body_is_not_multipart() {
        assert_eq!(parse(&BODY[..60], "XyZ"), None);
        assert_eq!(parse(b"no delimiter here", "XyZ"), None);
    }
}

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

    /// Property tests over outside input (issue 15): any bytes under any content type are
    /// read or refused, never a panic, and a well-formed body gives back exactly its parts.
    mod arbitrary_input {
        use super::*;
        use proptest::prelude::*;

        fn assemble(boundary: &str, parts: &[(String, Option<String>, Vec<u8>)]) -> Vec<u8> {
            let mut body = Vec::new();
            for (name, filename, data) in parts {
                body.extend_from_slice(
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"")
                        .as_bytes(),
                );
                if let Some(f) = filename {
                    body.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
                }
                body.extend_from_slice(b"\r\n\r\n");
                body.extend_from_slice(data);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            body
        }

        proptest! {
            #[test]
            fn any_bytes_are_read_or_refused_without_a_panic(
                body in proptest::collection::vec(any::<u8>(), 0..2048),
                content_type in "(multipart/form-data; boundary=[-a-zA-Z0-9]{0,12}|[ -~]{0,40})",
            ) {
                let _ = boundary(&content_type);
                if let Some(b) = boundary(&content_type) {
                    let _ = parse(&body, &b);
                }
                let mut with_delimiters = b"--XyZ\r\n".to_vec();
                with_delimiters.extend_from_slice(&body);
                with_delimiters.extend_from_slice(b"\r\n--XyZ--");
                let _ = parse(&with_delimiters, "XyZ");
            }

            #[test]
            fn a_well_formed_body_gives_back_its_parts(
                boundary in "[a-zA-Z0-9]{8,24}",
                parts in proptest::collection::vec(
                    (
                        "[a-z_]{1,12}",
                        proptest::option::of("[a-zA-Z0-9 ._-]{0,20}"),
                        proptest::collection::vec(any::<u8>(), 0..256),
                    ),
                    0..6,
                ),
            ) {
                // Data holding the delimiter cannot be sent under that boundary: a browser
                // chooses another.
                let delimiter = format!("--{boundary}");
                prop_assume!(parts.iter().all(|(_, _, d)| {
                    !d.windows(delimiter.len()).any(|w| w == delimiter.as_bytes())
                }));
                let body = assemble(&boundary, &parts);
                let read = parse(&body, &boundary).expect("a well-formed body is read");
                prop_assert_eq!(read.len(), parts.len());
                for (got, (name, filename, data)) in read.iter().zip(&parts) {
                    prop_assert_eq!(&got.name, name);
                    prop_assert_eq!(&got.filename, filename);
                    prop_assert_eq!(got.data, data.as_slice());
                }
            }
        }
    }
}

//! The REFI-QDA exchange format (QDA-XML 1.0, www.qdasoftware.org), so that a researcher can
//! take the coding to NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette, and start a codebook
//! from one made there.
//!
//! * [`write_codebook`] writes a codebook `.qdc` (namespace `urn:QDA-XML:codebook:1.0`):
//!   the codes as a tree, with descriptions and colours, and each aim as a `Set` of its codes.
//! * [`write_project`] writes a project `.qdpx`: a zip holding `project.qde` (namespace
//!   `urn:QDA-XML:project:1.0`) and each chat's text as `sources/<guid>.txt`, referred to as
//!   `internal://<guid>.txt`. The project holds the coders as `Users`, the codebook, one
//!   `TextSource` per chat with a `PlainTextSelection` per excerpt (positions in characters of
//!   the source text, memo as its description) and a `Coding` per code, one `Case` per
//!   participant **named by pseudonym only** (the caller never passes a name or an email), and
//!   the aims as `Sets`.
//! * [`read_codebook`] reads a `.qdc` into a [`Codebook`], with errors that say what is wrong.
//!
//! GUIDs are derived from a per-project key and each object's kind and id
//! ([`guid`]), so exporting the same cycle twice gives the same GUIDs and two different
//! projects do not collide. What is written validates against the standard's schemas in
//! `schema/` (tested with `xmllint --schema`).

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use super::codebook::{CodeId, Codebook, CodebookError, Colour};
use super::excerpt::{ChatId, CoderId, Excerpt};

/// The project schema's namespace.
pub const PROJECT_NAMESPACE: &str = "urn:QDA-XML:project:1.0";
/// The codebook schema's namespace.
pub const CODEBOOK_NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";
/// The standard's project schema (QDA-XML 1.0).
pub const PROJECT_XSD: &str = include_str!("schema/Project.xsd");
/// The standard's codebook schema (QDA-XML 1.0).
pub const CODEBOOK_XSD: &str = include_str!("schema/Codebook.xsd");
/// What flipside writes as the `origin` of its files.
pub const ORIGIN: &str = "flipside";

/// A deterministic GUID for object `id` of `kind` in the project keyed `project`: two 64-bit
/// FNV-1a hashes laid out as a UUID (version 8, "custom").
pub fn guid(project: &str, kind: &str, id: i64) -> String {
    let fnv = |seed: u64| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in project
            .bytes()
            .chain([0])
            .chain(kind.bytes())
            .chain([0])
            .chain(id.to_le_bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let (a, b) = (fnv(1), fnv(2));
    format!(
        "{:08x}-{:04x}-8{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// Text made safe for XML 1.0: escaped, and without the control characters XML forbids.
fn esc(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || !(c < ' ' || c == '\u{fffe}' || c == '\u{ffff}')
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

/// A coder, as the project names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefiUser {
    pub id: CoderId,
    pub name: String,
}

/// One chat as a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefiSource {
    pub chat: ChatId,
    /// The source's name, e.g. "Mentor 4, end of cycle" (pseudonym, never a name).
    pub name: String,
    /// The participant's pseudonym, e.g. "Mentor 4": the case the source belongs to.
    pub pseudonym: String,
    pub text: String,
    /// Every coder's excerpts of this chat.
    pub excerpts: Vec<Excerpt>,
}

/// What a project export holds.
#[derive(Debug, Clone)]
pub struct RefiProject<'a> {
    /// Keys the GUIDs, e.g. "flipside cycle 12 at https://mentoring.example.ac.uk".
    pub key: &'a str,
    pub name: &'a str,
    pub created: DateTime<Utc>,
    pub users: &'a [RefiUser],
    pub codebook: &'a Codebook,
    /// Aim key → label, for the aims' sets.
    pub aims: &'a BTreeMap<String, String>,
    pub sources: &'a [RefiSource],
}

/// Why an export could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefiWriteError {
    #[error("the codebook has no codes: a REFI-QDA codebook needs at least one")]
    EmptyCodebook,
    #[error("an excerpt of chat {chat} runs outside its text")]
    ExcerptOutsideText { chat: ChatId },
    #[error("the zip could not be written: {0}")]
    Zip(String),
}

fn write_codes(out: &mut String, book: &Codebook, key: &str, parent: Option<CodeId>, depth: usize) {
    for code in book.children(parent) {
        let indent = "  ".repeat(depth + 2);
        out.push_str(&format!(
            "{indent}<Code guid=\"{}\" name=\"{}\" isCodable=\"true\" color=\"{}\">\n",
            guid(key, "code", code.id),
            esc(&code.name),
            code.colour.as_str()
        ));
        if !code.description.is_empty() {
            out.push_str(&format!(
                "{indent}  <Description>{}</Description>\n",
                esc(&code.description)
            ));
        }
        write_codes(out, book, key, Some(code.id), depth + 1);
        out.push_str(&format!("{indent}</Code>\n"));
    }
}

/// Aim sets: (aim key, label, member code ids), for aims with at least one code.
fn aim_sets(
    book: &Codebook,
    aims: &BTreeMap<String, String>,
) -> Vec<(String, String, Vec<CodeId>)> {
    aims.iter()
        .filter_map(|(key, label)| {
            let members: Vec<CodeId> = book
                .tree()
                .into_iter()
                .filter(|(_, c)| book.aim_of(c.id) == Some(key.as_str()))
                .map(|(_, c)| c.id)
                .collect();
            (!members.is_empty()).then(|| (key.clone(), label.clone(), members))
        })
        .collect()
}

fn set_id(aim_key: &str) -> i64 {
    // Sets are keyed by aim key; fold it into an id for the GUID.
    aim_key
        .bytes()
        .fold(0i64, |h, b| h.wrapping_mul(31).wrapping_add(i64::from(b)))
}

/// A codebook as a `.qdc` document. `key` keys the GUIDs (use the same key as the project).
pub fn write_codebook(
    book: &Codebook,
    aims: &BTreeMap<String, String>,
    key: &str,
) -> Result<String, RefiWriteError> {
    if book.codes.is_empty() {
        return Err(RefiWriteError::EmptyCodebook);
    }
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<CodeBook xmlns=\"{CODEBOOK_NAMESPACE}\" origin=\"{ORIGIN}\">\n  <Codes>\n"
    ));
    write_codes(&mut out, book, key, None, 0);
    out.push_str("  </Codes>\n");
    let sets = aim_sets(book, aims);
    if !sets.is_empty() {
        out.push_str("  <Sets>\n");
        for (aim, label, members) in sets {
            out.push_str(&format!(
                "    <Set guid=\"{}\" name=\"{}\">\n      <Description>Aim: {}</Description>\n",
                guid(key, "aim", set_id(&aim)),
                esc(&label),
                esc(&aim)
            ));
            for m in members {
                out.push_str(&format!(
                    "      <MemberCode guid=\"{}\"/>\n",
                    guid(key, "code", m)
                ));
            }
            out.push_str("    </Set>\n");
        }
        out.push_str("  </Sets>\n");
    }
    out.push_str("</CodeBook>\n");
    Ok(out)
}

/// The project document, `project.qde`, and the sources' files: (`sources/<guid>.txt`, text).
pub fn project_document(
    project: &RefiProject,
) -> Result<(String, Vec<(String, String)>), RefiWriteError> {
    let key = project.key;
    let when = project.created.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<Project xmlns=\"{PROJECT_NAMESPACE}\" name=\"{}\" origin=\"{ORIGIN}\" creationDateTime=\"{when}\">\n",
        esc(project.name)
    ));
    let user_guid = |id: CoderId| guid(key, "user", id);
    if !project.users.is_empty() {
        out.push_str("  <Users>\n");
        for u in project.users {
            out.push_str(&format!(
                "    <User guid=\"{}\" name=\"{}\"/>\n",
                user_guid(u.id),
                esc(&u.name)
            ));
        }
        out.push_str("  </Users>\n");
    }
    if !project.codebook.codes.is_empty() {
        out.push_str("  <CodeBook>\n    <Codes>\n");
        write_codes(&mut out, project.codebook, key, None, 1);
        out.push_str("    </Codes>\n  </CodeBook>\n");
    }
    // Cases: one per pseudonym, holding that participant's sources.
    let mut cases: BTreeMap<&str, Vec<ChatId>> = BTreeMap::new();
    for s in project.sources {
        cases.entry(s.pseudonym.as_str()).or_default().push(s.chat);
    }
    if !cases.is_empty() {
        out.push_str("  <Cases>\n");
        for (n, (pseudonym, chats)) in cases.iter().enumerate() {
            out.push_str(&format!(
                "    <Case guid=\"{}\" name=\"{}\">\n",
                guid(key, "case", n as i64),
                esc(pseudonym)
            ));
            for chat in chats {
                out.push_str(&format!(
                    "      <SourceRef targetGUID=\"{}\"/>\n",
                    guid(key, "source", *chat)
                ));
            }
            out.push_str("    </Case>\n");
        }
        out.push_str("  </Cases>\n");
    }
    let mut files = Vec::new();
    if !project.sources.is_empty() {
        out.push_str("  <Sources>\n");
        for s in project.sources {
            let source_guid = guid(key, "source", s.chat);
            out.push_str(&format!(
                "    <TextSource guid=\"{source_guid}\" name=\"{}\" plainTextPath=\"internal://{source_guid}.txt\" creationDateTime=\"{when}\">\n",
                esc(&s.name)
            ));
            let mut excerpts: Vec<&Excerpt> = s.excerpts.iter().collect();
            excerpts.sort_by_key(|e| (e.span.start, e.span.end, e.id));
            for e in excerpts {
                if e.span.check(&s.text).is_err() {
                    return Err(RefiWriteError::ExcerptOutsideText { chat: s.chat });
                }
                let (start, end) = e.span.char_offsets(&s.text);
                let known = project.users.iter().any(|u| u.id == e.coder);
                let creator = if known {
                    format!(" creatingUser=\"{}\"", user_guid(e.coder))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "      <PlainTextSelection guid=\"{}\" name=\"{}\" startPosition=\"{start}\" endPosition=\"{end}\"{creator} creationDateTime=\"{when}\">\n",
                    guid(key, "excerpt", e.id),
                    esc(&short_name(e.span.text(&s.text)))
                ));
                if let Some(memo) = &e.memo {
                    out.push_str(&format!(
                        "        <Description>{}</Description>\n",
                        esc(memo)
                    ));
                }
                for code in &e.codes {
                    out.push_str(&format!(
                        "        <Coding guid=\"{}\"{creator} creationDateTime=\"{when}\">\n          <CodeRef targetGUID=\"{}\"/>\n        </Coding>\n",
                        guid(key, "coding", e.id.wrapping_mul(1_000_003).wrapping_add(*code)),
                        guid(key, "code", *code)
                    ));
                }
                out.push_str("      </PlainTextSelection>\n");
            }
            out.push_str("    </TextSource>\n");
            files.push((format!("sources/{source_guid}.txt"), s.text.clone()));
        }
        out.push_str("  </Sources>\n");
    }
    let sets = aim_sets(project.codebook, project.aims);
    if !sets.is_empty() {
        out.push_str("  <Sets>\n");
        for (aim, label, members) in sets {
            out.push_str(&format!(
                "    <Set guid=\"{}\" name=\"{}\">\n      <Description>Aim: {}</Description>\n",
                guid(key, "aim", set_id(&aim)),
                esc(&label),
                esc(&aim)
            ));
            for m in members {
                out.push_str(&format!(
                    "      <MemberCode targetGUID=\"{}\"/>\n",
                    guid(key, "code", m)
                ));
            }
            out.push_str("    </Set>\n");
        }
        out.push_str("  </Sets>\n");
    }
    out.push_str("</Project>\n");
    Ok((out, files))
}

/// A selection's name: its first words, as QDA tools list selections by name.
fn short_name(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 60 {
        flat
    } else {
        flat.chars().take(59).collect::<String>() + "…"
    }
}

/// The project as a `.qdpx` file: a zip of `project.qde` and `sources/*.txt`.
pub fn write_project(project: &RefiProject) -> Result<Vec<u8>, RefiWriteError> {
    let (qde, files) = project_document(project)?;
    let zip_err = |e: std::io::Error| RefiWriteError::Zip(e.to_string());
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("project.qde", options)
            .map_err(|e| RefiWriteError::Zip(e.to_string()))?;
        zip.write_all(qde.as_bytes()).map_err(zip_err)?;
        for (path, text) in files {
            zip.start_file(path, options)
                .map_err(|e| RefiWriteError::Zip(e.to_string()))?;
            zip.write_all(text.as_bytes()).map_err(zip_err)?;
        }
        zip.finish()
            .map_err(|e| RefiWriteError::Zip(e.to_string()))?;
    }
    Ok(buf.into_inner())
}

/// Why a `.qdc` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefiReadError {
    #[error("the file is not UTF-8 text: the bytes at offset {offset} are not valid UTF-8")]
    NotUtf8 { offset: usize },
    #[error("the file is not well-formed XML: {0}")]
    NotXml(String),
    #[error("the file is not a REFI-QDA codebook: its root element is {0:?}, not CodeBook")]
    NotACodebook(String),
    #[error(
        "the file is not a REFI-QDA codebook: its namespace is {found:?}, not {CODEBOOK_NAMESPACE}"
    )]
    WrongNamespace { found: String },
    #[error("a Code element has no {0} attribute")]
    MissingAttribute(&'static str),
    #[error("the code {name:?} has the colour {colour:?}, which is not #rgb or #rrggbb")]
    BadColour { name: String, colour: String },
    #[error("the codebook has no codes")]
    NoCodes,
    #[error("the codebook breaks a rule: {0}")]
    Codebook(#[from] CodebookError),
}

/// What is wrong with a codebook file, and where: the line and column (from 1, in
/// characters) of the element at fault, of where the XML stopped being readable, or of the
/// file's end for what concerns the whole file (no codes, elements left open).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {error}")]
pub struct CodebookReadError {
    pub line: usize,
    pub column: usize,
    pub error: RefiReadError,
}

/// The line and column (from 1, in characters) of a byte offset into `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    // Counted over the bytes of the line so far: a cut inside a character counts it.
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Reads a REFI-QDA codebook (`.qdc`) into a codebook, codes numbered from 1 in document
/// order. Codes without a colour get the default grey; `#rgb` colours are widened to
/// `#rrggbb`. Sets and GUIDs are not kept (aims are the scheme's, chosen after import).
pub fn read_codebook(bytes: &[u8]) -> Result<Codebook, CodebookReadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.valid_up_to();
            let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            let (line, column) = line_and_column(valid, offset);
            return Err(CodebookReadError {
                line,
                column,
                error: RefiReadError::NotUtf8 { offset },
            });
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Where the event being read began (the element at fault), or where the reader stopped.
    let mut at = 0usize;
    read_codebook_text(text, &mut at).map_err(|error| {
        let (line, column) = line_and_column(text, at);
        CodebookReadError {
            line,
            column,
            error,
        }
    })
}

fn read_codebook_text(text: &str, at: &mut usize) -> Result<Codebook, RefiReadError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut book = Codebook::default();
    let mut stack: Vec<CodeId> = Vec::new();
    let mut seen_root = false;
    let mut in_description: Option<CodeId> = None;
    // Open elements: a document that ends inside one is cut short.
    let mut open = 0usize;
    loop {
        *at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            *at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            RefiReadError::NotXml(e.to_string())
        })?;
        if matches!(event, Event::Eof) {
            *at = text.len();
        }
        match &event {
            Event::Start(_) => open += 1,
            Event::End(_) => open = open.saturating_sub(1),
            _ => {}
        }
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let local = e.local_name().as_ref().to_string();
            if !seen_root {
                seen_root = true;
                if local != "CodeBook" {
                    return Err(RefiReadError::NotACodebook(local));
                }
                let mut ns = None;
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == "xmlns" {
                        ns = Some(
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map_err(|e| RefiReadError::NotXml(e.to_string()))?
                                .into_owned(),
                        );
                    }
                }
                let found = ns.unwrap_or_default();
                if found != CODEBOOK_NAMESPACE {
                    return Err(RefiReadError::WrongNamespace { found });
                }
                continue;
            }
            match local.as_str() {
                "Code" => {
                    let mut name = None;
                    let mut colour = None;
                    let mut has_guid = false;
                    for a in e.attributes() {
                        let a = a.map_err(|e| RefiReadError::NotXml(e.to_string()))?;
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|e| RefiReadError::NotXml(e.to_string()))?
                            .into_owned();
                        match a.key.local_name().as_ref() {
                            "name" => name = Some(value),
                            "color" => colour = Some(value),
                            "guid" => has_guid = true,
                            _ => {}
                        }
                    }
                    let name = name.ok_or(RefiReadError::MissingAttribute("name"))?;
                    if !has_guid {
                        return Err(RefiReadError::MissingAttribute("guid"));
                    }
                    let colour = match colour {
                        None => Colour::default(),
                        Some(c) => widen(&c).ok_or(RefiReadError::BadColour {
                            name: name.clone(),
                            colour: c,
                        })?,
                    };
                    let id = book.add(&name, "", colour.as_str(), stack.last().copied(), None)?;
                    if !empty {
                        stack.push(id);
                    }
                }
                "Description" if !empty => {
                    in_description = stack.last().copied();
                }
                _ => {}
            }
        } else {
            match event {
                Event::End(e) => match e.local_name().as_ref() {
                    "Code" => {
                        stack.pop();
                    }
                    "Description" => in_description = None,
                    _ => {}
                },
                Event::Text(t) => {
                    if let Some(id) = in_description {
                        append_description(&mut book, id, &t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(id) = in_description {
                        let c = match &*r {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            _ => r.resolve_char_ref().ok().flatten(),
                        };
                        if let Some(c) = c {
                            append_description(&mut book, id, &c.to_string());
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    if !seen_root {
        return Err(RefiReadError::NotXml("there is no root element".into()));
    }
    if open > 0 {
        return Err(RefiReadError::NotXml(
            "the document ends before its elements are closed".into(),
        ));
    }
    if book.codes.is_empty() {
        return Err(RefiReadError::NoCodes);
    }
    for code in &mut book.codes {
        code.description = code.description.trim().to_string();
    }
    Ok(book)
}

fn append_description(book: &mut Codebook, id: CodeId, text: &str) {
    if let Some(code) = book.codes.iter_mut().find(|c| c.id == id) {
        code.description.push_str(text);
    }
}

/// `#rgb` or `#rrggbb` as a colour.
fn widen(c: &str) -> Option<Colour> {
    let c = c.trim();
    let hex = c.strip_prefix('#')?;
    if hex.len() == 3 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        let wide: String = hex.chars().flat_map(|ch| [ch, ch]).collect();
        return Colour::parse(&format!("#{wide}")).ok();
    }
    Colour::parse(c).ok()
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::process::Command;

    use proptest::prelude::*;

    use super::*;
    use crate::qualitative::aims;
    use crate::qualitative::codebook::default_codebook;
    use crate::qualitative::excerpt::Span;
    use crate::qualitative::transcript::Chat;

    fn schema(name: &str) -> String {
        format!(
            "{}/src/qualitative/schema/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    /// Validates `xml` against a schema with xmllint. Fails (never skips) when xmllint is
    /// missing: install Debian's `libxml2-utils`.
    fn xmllint(xml: &str, xsd: &str, tag: &str) -> Result<(), String> {
        let path =
            std::env::temp_dir().join(format!("flipside-refi-{}-{tag}.xml", std::process::id()));
        std::fs::write(&path, xml).unwrap();
        let output = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(schema(xsd))
            .arg(&path)
            .output();
        let _ = std::fs::remove_file(&path);
        let output = output.expect(
            "xmllint is needed to check REFI-QDA files against the standard's schema: install libxml2-utils",
        );
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    fn aim_labels() -> BTreeMap<String, String> {
        aims::default_aims()
            .into_iter()
            .map(|a| (a.key, a.label))
            .collect()
    }

    fn tricky_codebook() -> Codebook {
        let mut book = default_codebook();
        book.add(
            "Quotes & \"asides\" <in> names",
            "Description with & < > and a line\nbreak, plus a control \u{1}char.",
            "#ABCDEF",
            None,
            None,
        )
        .unwrap();
        book
    }

    #[test]
    fn the_codebook_we_write_is_valid_against_the_standard() {
        let qdc = write_codebook(&tricky_codebook(), &aim_labels(), "test").unwrap();
        assert!(qdc.contains("xmlns=\"urn:QDA-XML:codebook:1.0\""));
        xmllint(&qdc, "Codebook.xsd", "qdc").unwrap();
        assert_eq!(
            write_codebook(&Codebook::default(), &aim_labels(), "test"),
            Err(RefiWriteError::EmptyCodebook)
        );
    }

    #[test]
    fn the_schema_check_catches_an_invalid_file() {
        // The check is real: a code without its required isCodable attribute is refused.
        let bad = format!(
            "<CodeBook xmlns=\"{CODEBOOK_NAMESPACE}\"><Codes><Code guid=\"{}\" name=\"x\"/></Codes></CodeBook>",
            guid("k", "code", 1)
        );
        assert!(xmllint(&bad, "Codebook.xsd", "bad-qdc").is_err());
        let bad_project = format!("<Project xmlns=\"{PROJECT_NAMESPACE}\"/>");
        assert!(xmllint(&bad_project, "Project.xsd", "bad-qde").is_err());
    }

    #[test]
    fn a_codebook_survives_a_round_trip() {
        let book = tricky_codebook();
        let qdc = write_codebook(&book, &aim_labels(), "test").unwrap();
        let back = read_codebook(qdc.as_bytes()).unwrap();
        let shape = |b: &Codebook| -> Vec<(usize, String, String, String)> {
            b.tree()
                .into_iter()
                .map(|(d, c)| {
                    (
                        d,
                        c.name.clone(),
                        c.description.clone(),
                        c.colour.as_str().to_string(),
                    )
                })
                .collect()
        };
        let mut want = shape(&book);
        for row in &mut want {
            row.2 = row.2.replace('\u{1}', "");
        }
        assert_eq!(shape(&back), want);
    }

    fn project_fixture() -> (Codebook, Vec<RefiSource>, Vec<RefiUser>) {
        let book = default_codebook();
        let id = |name: &str| book.codes.iter().find(|c| c.name == name).unwrap().id;
        let chat = Chat::from_typed(
            "Interviewer: What stayed with you?\nMentor 4: Honestly — that he followed it up. I felt seen, café and all.",
        )
        .unwrap();
        let text = chat.text.clone();
        let span = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span {
                start,
                end: start + needle.len(),
            }
        };
        let excerpts = vec![
            Excerpt {
                id: 1,
                chat: 10,
                coder: 100,
                span: span("that he followed it up."),
                codes: vec![id("Followed up"), id("Trust")],
                memo: Some("Action & follow-up".into()),
            },
            Excerpt {
                id: 2,
                chat: 10,
                coder: 101,
                span: span("I felt seen, café and all."),
                codes: vec![id("Seen as an individual")],
                memo: None,
            },
        ];
        let sources = vec![
            RefiSource {
                chat: 10,
                name: "Mentor 4, end of cycle".into(),
                pseudonym: "Mentor 4".into(),
                text,
                excerpts,
            },
            RefiSource {
                chat: 11,
                name: "Senior leader 2, end of cycle".into(),
                pseudonym: "Senior leader 2".into(),
                text: "Senior leader 2: I listen differently now.".into(),
                excerpts: vec![],
            },
        ];
        let users = vec![
            RefiUser {
                id: 100,
                name: "Coder A".into(),
            },
            RefiUser {
                id: 101,
                name: "Coder B".into(),
            },
        ];
        (book, sources, users)
    }

    #[test]
    fn the_project_we_write_is_valid_and_holds_sources_selections_and_cases() {
        let (book, sources, users) = project_fixture();
        let aims = aim_labels();
        let project = RefiProject {
            key: "flipside test cycle 1",
            name: "Reverse mentoring 2025/26 — chats",
            created: "2026-07-01T09:00:00Z".parse().unwrap(),
            users: &users,
            codebook: &book,
            aims: &aims,
            sources: &sources,
        };
        let bytes = write_project(&project).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut qde = String::new();
        zip.by_name("project.qde")
            .unwrap()
            .read_to_string(&mut qde)
            .unwrap();
        xmllint(&qde, "Project.xsd", "qde").unwrap();
        assert!(qde.contains("xmlns=\"urn:QDA-XML:project:1.0\""));
        assert!(qde.contains("<Case "));
        assert!(qde.contains("name=\"Mentor 4\""));
        assert!(qde.contains("<MemberCode targetGUID="));
        // Each source's text is in the zip, and selections count characters of it.
        let source_guid = guid("flipside test cycle 1", "source", 10);
        let mut txt = String::new();
        zip.by_name(&format!("sources/{source_guid}.txt"))
            .unwrap()
            .read_to_string(&mut txt)
            .unwrap();
        assert_eq!(txt, sources[0].text);
        assert!(qde.contains(&format!("plainTextPath=\"internal://{source_guid}.txt\"")));
        let chars: Vec<char> = txt.chars().collect();
        let (start, end) = sources[0].excerpts[1].span.char_offsets(&txt);
        assert_eq!(
            chars[start..end].iter().collect::<String>(),
            "I felt seen, café and all."
        );
        assert!(qde.contains(&format!("startPosition=\"{start}\" endPosition=\"{end}\"")));
        assert_eq!(zip.len(), 3);
        // The same export twice gives the same file: GUIDs are stable.
        assert_eq!(project_document(&project).unwrap().0, qde);
    }

    #[test]
    fn an_excerpt_outside_its_text_is_refused() {
        let (book, mut sources, users) = project_fixture();
        sources[0].excerpts[0].span = Span {
            start: 0,
            end: 10_000,
        };
        let aims = aim_labels();
        let project = RefiProject {
            key: "k",
            name: "p",
            created: "2026-07-01T09:00:00Z".parse().unwrap(),
            users: &users,
            codebook: &book,
            aims: &aims,
            sources: &sources,
        };
        assert_eq!(
            write_project(&project),
            Err(RefiWriteError::ExcerptOutsideText { chat: 10 })
        );
    }

    #[test]
    fn an_imported_codebook_keeps_hierarchy_descriptions_and_colours() {
        let qdc = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
  <Codes>
    <Code guid="8e1f4c2a-0000-4000-8000-000000000001" name="Voice" isCodable="true" color="#F0A">
      <Description>Being heard &amp; answered</Description>
      <Code guid="8e1f4c2a-0000-4000-8000-000000000002" name="Followed up" isCodable="true"/>
    </Code>
    <Code guid="8e1f4c2a-0000-4000-8000-000000000003" name="Belonging" isCodable="false" color="#112233"/>
  </Codes>
</CodeBook>"##;
        let book = read_codebook(qdc.as_bytes()).unwrap();
        assert_eq!(book.codes.len(), 3);
        let voice = &book.codes[0];
        assert_eq!(voice.name, "Voice");
        assert_eq!(voice.description, "Being heard & answered");
        assert_eq!(voice.colour.as_str(), "#ff00aa");
        assert_eq!(book.codes[1].parent, Some(voice.id));
        assert_eq!(book.codes[1].colour, Colour::default());
        assert_eq!(book.codes[2].parent, None);
    }

    #[test]
    fn bad_codebooks_say_what_is_wrong() {
        let ns = CODEBOOK_NAMESPACE;
        let cases: Vec<(String, RefiReadError)> = vec![
            (
                format!("<Project xmlns=\"{PROJECT_NAMESPACE}\"/>"),
                RefiReadError::NotACodebook("Project".into()),
            ),
            (
                "<CodeBook xmlns=\"urn:QDA-XML:codebook:1:0\"><Codes/></CodeBook>".into(),
                RefiReadError::WrongNamespace {
                    found: "urn:QDA-XML:codebook:1:0".into(),
                },
            ),
            (
                format!("<CodeBook xmlns=\"{ns}\"><Codes><Code guid=\"x\"/></Codes></CodeBook>"),
                RefiReadError::MissingAttribute("name"),
            ),
            (
                format!("<CodeBook xmlns=\"{ns}\"><Codes><Code name=\"a\"/></Codes></CodeBook>"),
                RefiReadError::MissingAttribute("guid"),
            ),
            (
                format!(
                    "<CodeBook xmlns=\"{ns}\"><Codes><Code guid=\"x\" name=\"a\" color=\"red\"/></Codes></CodeBook>"
                ),
                RefiReadError::BadColour {
                    name: "a".into(),
                    colour: "red".into(),
                },
            ),
            (
                format!("<CodeBook xmlns=\"{ns}\"><Codes></Codes></CodeBook>"),
                RefiReadError::NoCodes,
            ),
            (
                format!(
                    "<CodeBook xmlns=\"{ns}\"><Codes><Code guid=\"x\" name=\"a\"/><Code guid=\"y\" name=\"A\"/></Codes></CodeBook>"
                ),
                RefiReadError::Codebook(CodebookError::DuplicateName("A".into())),
            ),
            (
                "".into(),
                RefiReadError::NotXml("there is no root element".into()),
            ),
        ];
        for (xml, want) in cases {
            assert_eq!(
                read_codebook(xml.as_bytes()).map_err(|e| e.error),
                Err(want),
                "{xml}"
            );
        }
        assert!(matches!(
            read_codebook(format!("<CodeBook xmlns=\"{ns}\"><Codes>").as_bytes())
                .map_err(|e| e.error),
            Err(RefiReadError::NotXml(_))
        ));
        assert_eq!(
            read_codebook(b"<CodeBook \xff/>").map_err(|e| e.error),
            Err(RefiReadError::NotUtf8 { offset: 10 })
        );
    }

    #[test]
    fn a_bad_codebook_is_named_with_the_line_and_column_where_it_goes_wrong() {
        let ns = CODEBOOK_NAMESPACE;
        let at = |xml: &str| {
            let e = read_codebook(xml.as_bytes()).unwrap_err();
            (e.line, e.column, e.to_string())
        };
        // The element at fault: its opening `<`, counted in characters, not bytes.
        let (line, column, message) = at(&format!(
            "<CodeBook xmlns=\"{ns}\">\n  <Codes>\n    <Code guid=\"x\" name=\"Été\"/>\n    <Code guid=\"y\" name=\"b\" color=\"red\"/>\n  </Codes>\n</CodeBook>\n"
        ));
        assert_eq!((line, column), (4, 5));
        assert_eq!(
            message,
            "line 4, column 5: the code \"b\" has the colour \"red\", which is not #rgb or #rrggbb"
        );
        let (line, column, _) = at(&format!(
            "<CodeBook xmlns=\"{ns}\"><Codes>\n<Code name=\"é\"/><Code name=\"a\"/>"
        ));
        assert_eq!(
            (line, column),
            (2, 1),
            "the first of the two codes lacks a guid"
        );
        // XML that is not well-formed: where the reader stopped.
        let (line, column, message) = at(&format!(
            "<CodeBook xmlns=\"{ns}\">\n<Codes>\n<Code guid=\"x\" name=\"a\"/></Codex>"
        ));
        assert_eq!(line, 3, "{message}");
        assert!(column > 1, "{message}");
        assert!(message.starts_with("line 3, column "), "{message}");
        // Bad UTF-8: the first byte that is not.
        let e = read_codebook(b"<CodeBook\n  a\xff/>").unwrap_err();
        assert_eq!((e.line, e.column), (2, 4));
        // A whole-file problem is placed at its end.
        let e =
            read_codebook(format!("<CodeBook xmlns=\"{ns}\">\n<Codes/>\n</CodeBook>").as_bytes())
                .unwrap_err();
        assert_eq!(e.error, RefiReadError::NoCodes);
        assert_eq!((e.line, e.column), (3, 12));
    }

    #[test]
    fn guids_match_the_standards_pattern_and_differ_by_project_kind_and_id() {
        let g = guid("a", "code", 1);
        let parts: Vec<&str> = g.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12]
        );
        assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_ne!(g, guid("b", "code", 1));
        assert_ne!(g, guid("a", "user", 1));
        assert_ne!(g, guid("a", "code", 2));
        assert_eq!(g, guid("a", "code", 1));
    }

    proptest! {
        #[test]
        fn reading_a_codebook_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = read_codebook(&bytes);
        }

        #[test]
        fn reading_codebook_like_xml_never_panics(body in "(<Code( guid=\"g\")?( name=\"[a-z&;]{0,4}\")?( color=\"#[0-9a-f]{0,7}\")?/?>|</Code>|<Description>[a-z&;]{0,6}</Description>){0,8}") {
            let xml = format!("<CodeBook xmlns=\"{CODEBOOK_NAMESPACE}\"><Codes>{body}</Codes></CodeBook>");
            let _ = read_codebook(xml.as_bytes());
        }
    }
}

//! Reading a reflective chat's transcript (issue 11) into a [`Chat`]: its text, split into
//! numbered [`Segment`]s that the no-JavaScript coding page offers as checkboxes.
//!
//! Formats ([`TranscriptFormat`]):
//! * `.txt`: UTF-8 (a byte-order mark is dropped, line ends normalised to `\n`); every
//!   non-blank line is a turn, and a line that opens `Speaker: ` names its speaker;
//! * `.docx`: a zip holding `word/document.xml`; the text is the `w:t` runs of each `w:p`
//!   paragraph (`w:tab` a tab, `w:br` a space), every non-blank paragraph a turn, speakers
//!   read as in `.txt`;
//! * `.vtt` (WebVTT, as Teams and Zoom export): a `WEBVTT` header, then cues (optional id, a
//!   timing line `00:00:01.000 --> 00:00:04.000`, text lines); the speaker comes from a
//!   `<v Speaker>` voice tag or a `Speaker: text` line; other tags are dropped and the five
//!   XML entities plus `&nbsp;` decoded; `NOTE`, `STYLE` and `REGION` blocks are skipped;
//!   consecutive cues of the same speaker make one turn.
//!
//! The chat's text is its turns, one per line, each written `Speaker: words` when the speaker
//! is known. Offsets ([`Segment::start`], [`Segment::end`]) are **byte offsets into that text,
//! always on UTF-8 character boundaries**, so `&chat.text[s.start..s.end]` is the segment.
//! A turn is one segment unless it is longer than [`LONG_TURN_CHARS`]; then each sentence
//! (ending `.`, `!`, `?` or `…` before a space) is one. A segment covers the words, not the
//! `Speaker: ` label. Numbering starts at 1.
//!
//! Bad files get a [`TranscriptError`] that names what is wrong; nothing here panics, whatever
//! the bytes (property-tested).

use std::io::Read;

use serde::Serialize;

/// Turns longer than this (in characters) are split into sentences.
pub const LONG_TURN_CHARS: usize = 400;
/// The largest transcript text accepted, in bytes (a two-hour chat is about 120 kB).
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;
/// The largest `word/document.xml` read out of a `.docx`, in bytes (markup is verbose).
pub const MAX_DOCX_XML_BYTES: u64 = 32 * 1024 * 1024;

/// When in the cycle a reflective chat took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ChatStage {
    MidCycle,
    End,
    FollowUp,
}

impl ChatStage {
    pub const ALL: [ChatStage; 3] = [ChatStage::MidCycle, ChatStage::End, ChatStage::FollowUp];

    pub fn as_str(self) -> &'static str {
        match self {
            ChatStage::MidCycle => "mid_cycle",
            ChatStage::End => "end",
            ChatStage::FollowUp => "follow_up",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChatStage::MidCycle => "Mid-cycle",
            ChatStage::End => "End of cycle",
            ChatStage::FollowUp => "Follow-up",
        }
    }

    pub fn parse(s: &str) -> Option<ChatStage> {
        ChatStage::ALL.into_iter().find(|stage| stage.as_str() == s)
    }
}

/// A transcript's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TranscriptFormat {
    Text,
    Docx,
    WebVtt,
}

impl TranscriptFormat {
    /// The format a file name's extension names (case-insensitive), if it is one we read.
    pub fn from_file_name(name: &str) -> Option<TranscriptFormat> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(TranscriptFormat::Text),
            "docx" => Some(TranscriptFormat::Docx),
            "vtt" => Some(TranscriptFormat::WebVtt),
            _ => None,
        }
    }
}

/// Why a transcript could not be read. The messages are for the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranscriptError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has no words in it")]
    NoText,
    #[error("the file is not UTF-8 text: the bytes at offset {offset} are not valid UTF-8")]
    NotUtf8 { offset: usize },
    #[error("the transcript is too long: at most {max} bytes of text")]
    TooLarge { max: usize },
    #[error("the file is not a .docx: it is not a zip archive ({0})")]
    NotAZip(String),
    #[error("the file is not a .docx: the zip has no word/document.xml")]
    NoDocumentXml,
    #[error("the .docx could not be read: {0}")]
    BadDocx(String),
    #[error("the .docx's word/document.xml is not well-formed XML: {0}")]
    BadDocumentXml(String),
    #[error("the file is not WebVTT: it does not start with the line WEBVTT")]
    NoWebVttHeader,
    #[error("line {line}: the cue timing {text:?} is not `start --> end` as hh:mm:ss.ttt")]
    BadCueTiming { line: usize, text: String },
    #[error("line {line}: the cue has a timing but no text")]
    CueWithoutText { line: usize },
    #[error("the WebVTT file has no cues")]
    NoCues,
}

/// One speaker turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    pub speaker: Option<String>,
    pub text: String,
    /// Where the turn starts in the recording, in milliseconds (WebVTT only).
    pub start_ms: Option<u64>,
}

/// A numbered piece of a chat: one turn, or one sentence of a long turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// 1, 2, 3, … in reading order.
    pub number: u32,
    pub speaker: Option<String>,
    /// Byte offset of its first character in [`Chat::text`].
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

/// A chat's text and its segments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chat {
    pub text: String,
    pub segments: Vec<Segment>,
}

impl Chat {
    /// The chat made of these turns (blank turns dropped).
    pub fn from_turns(turns: &[Turn]) -> Chat {
        let mut text = String::new();
        let mut segments = Vec::new();
        for turn in turns {
            let words = turn.text.trim();
            if words.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push('\n');
            }
            if let Some(speaker) = &turn.speaker {
                text.push_str(speaker);
                text.push_str(": ");
            }
            let base = text.len();
            text.push_str(words);
            let pieces = if words.chars().count() > LONG_TURN_CHARS {
                sentences(words)
            } else {
                vec![(0, words.len())]
            };
            for (s, e) in pieces {
                segments.push(Segment {
                    number: segments.len() as u32 + 1,
                    speaker: turn.speaker.clone(),
                    start: base + s,
                    end: base + e,
                });
            }
        }
        Chat { text, segments }
    }

    /// A chat typed or pasted into the form: read as a `.txt`.
    pub fn from_typed(text: &str) -> Result<Chat, TranscriptError> {
        parse(TranscriptFormat::Text, text.as_bytes())
    }

    /// The words of a segment.
    pub fn segment_text(&self, segment: &Segment) -> &str {
        &self.text[segment.start..segment.end]
    }
}

/// Reads a transcript file of the given format.
pub fn parse(format: TranscriptFormat, bytes: &[u8]) -> Result<Chat, TranscriptError> {
    let turns = match format {
        TranscriptFormat::Text => parse_txt(bytes)?,
        TranscriptFormat::Docx => parse_docx(bytes)?,
        TranscriptFormat::WebVtt => parse_vtt(bytes)?,
    };
    let chat = Chat::from_turns(&turns);
    if chat.segments.is_empty() {
        return Err(TranscriptError::NoText);
    }
    if chat.text.len() > MAX_TEXT_BYTES {
        return Err(TranscriptError::TooLarge {
            max: MAX_TEXT_BYTES,
        });
    }
    Ok(chat)
}

/// `(start, end)` byte ranges of the sentences of `words` (which is trimmed): a sentence ends
/// at `.`, `!`, `?` or `…` (with any closing quotes or brackets) followed by whitespace.
pub fn sentences(words: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = words.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if matches!(c, '.' | '!' | '?' | '…') {
            let mut j = i + 1;
            while j < chars.len()
                && matches!(
                    chars[j].1,
                    '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | ')'
                )
            {
                j += 1;
            }
            if j < chars.len() && chars[j].1.is_whitespace() {
                let end = chars[j].0;
                out.push((start, end));
                while j < chars.len() && chars[j].1.is_whitespace() {
                    j += 1;
                }
                start = chars.get(j).map_or(words.len(), |&(b, _)| b);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    if start < words.len() {
        out.push((start, words.len()));
    }
    out
}

fn utf8(bytes: &[u8]) -> Result<&str, TranscriptError> {
    let text = std::str::from_utf8(bytes).map_err(|e| TranscriptError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// A `Speaker: words` line split into its speaker and words. The part before the first colon
/// is read as a speaker only if it looks like a label: 1 to 40 characters, starting with a
/// letter, one to four words each starting with a capital or a digit ("Mentor 4", "Dr Amara
/// Obi"), no sentence punctuation, and a space after the colon. So "I said: no" and
/// "Time 10:30" stay words.
pub fn split_speaker(line: &str) -> (Option<String>, &str) {
    let Some((label, rest)) = line.split_once(':') else {
        return (None, line);
    };
    let label = label.trim();
    let words: Vec<&str> = label.split_whitespace().collect();
    let plausible = !label.is_empty()
        && label.chars().count() <= 40
        && label.chars().next().is_some_and(char::is_alphabetic)
        && (1..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        && !label.contains(['.', '!', '?', '"', '“', '”'])
        && rest.starts_with(' ');
    if plausible {
        (Some(label.to_string()), rest.trim())
    } else {
        (None, line)
    }
}

fn lines_to_turns<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Turn> {
    lines
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (speaker, words) = split_speaker(l);
            Turn {
                speaker,
                text: words.to_string(),
                start_ms: None,
            }
        })
        .collect()
}

/// Reads a `.txt` transcript into turns.
pub fn parse_txt(bytes: &[u8]) -> Result<Vec<Turn>, TranscriptError> {
    if bytes.is_empty() {
        return Err(TranscriptError::Empty);
    }
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(TranscriptError::TooLarge {
            max: MAX_TEXT_BYTES,
        });
    }
    let text = utf8(bytes)?.replace("\r\n", "\n").replace('\r', "\n");
    Ok(lines_to_turns(text.lines()))
}

/// Reads a `.docx` transcript into turns: the paragraphs of `word/document.xml`.
pub fn parse_docx(bytes: &[u8]) -> Result<Vec<Turn>, TranscriptError> {
    if bytes.is_empty() {
        return Err(TranscriptError::Empty);
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| TranscriptError::NotAZip(e.to_string()))?;
    let entry = match zip.by_name("word/document.xml") {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Err(TranscriptError::NoDocumentXml),
        Err(e) => return Err(TranscriptError::BadDocx(e.to_string())),
    };
    let mut raw = Vec::new();
    entry
        .take(MAX_DOCX_XML_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| TranscriptError::BadDocx(e.to_string()))?;
    if raw.len() as u64 > MAX_DOCX_XML_BYTES {
        return Err(TranscriptError::TooLarge {
            max: MAX_TEXT_BYTES,
        });
    }
    let xml = std::str::from_utf8(&raw).map_err(|e| {
        TranscriptError::BadDocumentXml(format!("not UTF-8 at byte offset {}", e.valid_up_to()))
    })?;
    let paragraphs = docx_paragraphs(xml)?;
    Ok(lines_to_turns(paragraphs.iter().map(String::as_str)))
}

/// The text of each `w:p` paragraph of a WordprocessingML body.
fn docx_paragraphs(xml: &str) -> Result<Vec<String>, TranscriptError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut in_text = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| TranscriptError::BadDocumentXml(e.to_string()))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "p" => current.clear(),
                "tab" => current.push('\t'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => current.push('\t'),
                "br" | "cr" => current.push(' '),
                "p" => paragraphs.push(String::new()),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    // A paragraph's own line breaks would split a turn; keep it on one line.
                    paragraphs.push(current.replace(['\n', '\r'], " "));
                    current.clear();
                }
                _ => {}
            },
            Event::Text(t) if in_text => current.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => {
                current.push_str(&t.into_inner());
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = entity(&r) {
                    current.push(c);
                } else if let Ok(Some(c)) = r.resolve_char_ref() {
                    current.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if current.len() > MAX_TEXT_BYTES {
            return Err(TranscriptError::TooLarge {
                max: MAX_TEXT_BYTES,
            });
        }
    }
    Ok(paragraphs)
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => None,
    }
}

/// One WebVTT cue, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    pub speaker: Option<String>,
    pub text: String,
}

/// Reads a WebVTT transcript into turns, merging consecutive cues of one speaker.
pub fn parse_vtt(bytes: &[u8]) -> Result<Vec<Turn>, TranscriptError> {
    let cues = parse_cues(bytes)?;
    let mut turns: Vec<Turn> = Vec::new();
    for cue in cues {
        match turns.last_mut() {
            Some(last) if last.speaker == cue.speaker && cue.speaker.is_some() => {
                last.text.push(' ');
                last.text.push_str(&cue.text);
            }
            _ => turns.push(Turn {
                speaker: cue.speaker,
                text: cue.text,
                start_ms: Some(cue.start_ms),
            }),
        }
    }
    Ok(turns)
}

/// Reads the cues of a WebVTT file.
pub fn parse_cues(bytes: &[u8]) -> Result<Vec<Cue>, TranscriptError> {
    if bytes.is_empty() {
        return Err(TranscriptError::Empty);
    }
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(TranscriptError::TooLarge {
            max: MAX_TEXT_BYTES,
        });
    }
    let text = utf8(bytes)?.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let header = lines.first().copied().unwrap_or("");
    let good_header = header == "WEBVTT"
        || header
            .strip_prefix("WEBVTT")
            .is_some_and(|rest| rest.starts_with([' ', '\t']));
    if !good_header {
        return Err(TranscriptError::NoWebVttHeader);
    }
    let mut cues = Vec::new();
    let mut i = 1;
    // Skip the rest of the header block.
    while i < lines.len() && !lines[i].trim().is_empty() {
        i += 1;
    }
    while i < lines.len() {
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let block_start = i;
        let mut block_end = i;
        while block_end < lines.len() && !lines[block_end].trim().is_empty() {
            block_end += 1;
        }
        let block = &lines[block_start..block_end];
        i = block_end;
        let first = block[0];
        if first.starts_with("NOTE") || first.starts_with("STYLE") || first.starts_with("REGION") {
            continue;
        }
        // An optional cue identifier precedes the timing line.
        let timing_at = if first.contains("-->") { 0 } else { 1 };
        let Some(timing) = block.get(timing_at) else {
            return Err(TranscriptError::BadCueTiming {
                line: block_start + 1,
                text: first.to_string(),
            });
        };
        let line = block_start + timing_at + 1;
        let (start_ms, end_ms) =
            parse_timing(timing).ok_or_else(|| TranscriptError::BadCueTiming {
                line,
                text: timing.to_string(),
            })?;
        let payload = &block[timing_at + 1..];
        let mut speaker = None;
        let mut words = Vec::new();
        for raw in payload {
            let (voice, plain) = strip_cue_markup(raw);
            if speaker.is_none() {
                speaker = voice;
            }
            let plain = plain.trim();
            if !plain.is_empty() {
                words.push(plain.to_string());
            }
        }
        let mut joined = words.join(" ");
        if speaker.is_none() {
            let (named, rest) = split_speaker(&joined);
            if named.is_some() {
                speaker = named;
                joined = rest.to_string();
            }
        }
        if joined.trim().is_empty() {
            return Err(TranscriptError::CueWithoutText { line });
        }
        cues.push(Cue {
            start_ms,
            end_ms,
            speaker,
            text: joined.trim().to_string(),
        });
    }
    if cues.is_empty() {
        return Err(TranscriptError::NoCues);
    }
    Ok(cues)
}

/// `start --> end` (settings after the end are ignored) as milliseconds; `end` not before start.
fn parse_timing(line: &str) -> Option<(u64, u64)> {
    let (a, b) = line.split_once("-->")?;
    let start = parse_timestamp(a.trim())?;
    let end = parse_timestamp(b.split_whitespace().next()?)?;
    (end >= start).then_some((start, end))
}

/// `hh:mm:ss.ttt` or `mm:ss.ttt` as milliseconds.
fn parse_timestamp(s: &str) -> Option<u64> {
    let (clock, millis) = s.split_once('.')?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let num = |p: &str, max: u64| -> Option<u64> {
        if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse::<u64>().ok().filter(|v| *v <= max)
    };
    let (h, m, sec) = match parts.as_slice() {
        [m, s] => (0, num(m, 59)?, num(s, 59)?),
        [h, m, s] => (num(h, 999_999)?, num(m, 59)?, num(s, 59)?),
        _ => return None,
    };
    Some(((h * 60 + m) * 60 + sec) * 1000 + millis.parse::<u64>().ok()?)
}

/// A cue text line without its tags, and the speaker of its `<v>` tag if it has one.
fn strip_cue_markup(line: &str) -> (Option<String>, String) {
    let mut speaker = None;
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            // A lone "<" is text.
            out.push('<');
            rest = after;
            continue;
        };
        let tag = &after[..close];
        if (tag.starts_with("v ") || tag.starts_with("v.") || tag.starts_with("v\t"))
            && speaker.is_none()
        {
            let name = tag.split_once([' ', '\t']).map_or("", |(_, n)| n).trim();
            if !name.is_empty() {
                speaker = Some(decode_entities(name));
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    (speaker, decode_entities(&out))
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';').filter(|&semi| semi <= 6) {
            Some(semi) if entity(&after[..semi]).is_some() => {
                out.extend(entity(&after[..semi]));
                rest = &after[semi + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    fn docx(document_xml: Option<&str>) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("[Content_Types].xml", options).unwrap();
            zip.write_all(b"<Types/>").unwrap();
            if let Some(xml) = document_xml {
                zip.start_file("word/document.xml", options).unwrap();
                zip.write_all(xml.as_bytes()).unwrap();
            }
            zip.finish().unwrap();
        }
        buf.into_inner()
    }

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Interviewer: How did the first meeting go?</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Mentor: It was </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>nerve-wracking</w:t></w:r><w:r><w:t xml:space="preserve"> &amp; then fine.</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>A closing remark</w:t><w:tab/><w:t>with a tab.</w:t></w:r></w:p>
</w:body></w:document>"#;

    #[test]
    fn a_docx_is_read_paragraph_by_paragraph_with_its_runs_joined() {
        let chat = parse(TranscriptFormat::Docx, &docx(Some(DOC))).unwrap();
        assert_eq!(
            chat.text,
            "Interviewer: How did the first meeting go?\nMentor: It was nerve-wracking & then fine.\nA closing remark\twith a tab."
        );
        assert_eq!(chat.segments.len(), 3);
        assert_eq!(chat.segments[1].speaker.as_deref(), Some("Mentor"));
        assert_eq!(
            chat.segment_text(&chat.segments[1]),
            "It was nerve-wracking & then fine."
        );
        assert_eq!(chat.segments[2].speaker, None);
    }

    #[test]
    fn bad_docx_files_say_what_is_wrong() {
        assert!(matches!(
            parse(TranscriptFormat::Docx, b"hello, not a zip"),
            Err(TranscriptError::NotAZip(_))
        ));
        assert_eq!(
            parse(TranscriptFormat::Docx, &docx(None)),
            Err(TranscriptError::NoDocumentXml)
        );
        assert!(matches!(
            parse(TranscriptFormat::Docx, &docx(Some("<w:p><w:t>open</w:p>"))),
            Err(TranscriptError::BadDocumentXml(_))
        ));
        assert_eq!(
            parse(TranscriptFormat::Docx, &docx(Some("<w:document/>"))),
            Err(TranscriptError::NoText)
        );
        assert_eq!(
            parse(TranscriptFormat::Docx, b""),
            Err(TranscriptError::Empty)
        );
        let message = TranscriptError::NoDocumentXml.to_string();
        assert!(message.contains("word/document.xml"), "{message}");
    }

    #[test]
    fn a_text_file_keeps_its_lines_as_turns_and_names_speakers() {
        let bytes = "\u{feff}Interviewer: What changed?\r\n\r\nMentee 2: I listen more now.\r\nAnd I ask: what would help?\n";
        let chat = parse(TranscriptFormat::Text, bytes.as_bytes()).unwrap();
        assert_eq!(
            chat.text,
            "Interviewer: What changed?\nMentee 2: I listen more now.\nAnd I ask: what would help?"
        );
        let speakers: Vec<_> = chat.segments.iter().map(|s| s.speaker.clone()).collect();
        assert_eq!(
            speakers,
            vec![Some("Interviewer".into()), Some("Mentee 2".into()), None]
        );
        assert_eq!(chat.segments[0].number, 1);
        assert_eq!(chat.segments[2].number, 3);
    }

    #[test]
    fn a_text_file_that_is_not_utf8_names_the_byte_offset() {
        let err = parse(TranscriptFormat::Text, b"Caf\xe9 talk").unwrap_err();
        assert_eq!(err, TranscriptError::NotUtf8 { offset: 3 });
        assert!(err.to_string().contains("offset 3"));
        assert_eq!(
            parse(TranscriptFormat::Text, b" \n\n "),
            Err(TranscriptError::NoText)
        );
    }

    const VTT: &str = "WEBVTT\n\nNOTE exported by a meeting tool\n\n1\n00:00:01.000 --> 00:00:04.500\n<v Dr Amara Obi>So, how has it been?</v>\n\n2\n00:00:05.000 --> 00:00:07.000 align:start\n<v Dr Amara Obi>Honestly.</v>\n\n00:07.500 --> 00:00:12.000\nJo Mentor: I felt <i>heard</i> &amp; seen.\n\n3\n00:00:12.000 --> 00:00:15.000\n<v.loud Jo Mentor>It mattered.\n";

    #[test]
    fn a_webvtt_file_becomes_speaker_turns() {
        let cues = parse_cues(VTT.as_bytes()).unwrap();
        assert_eq!(cues.len(), 4);
        assert_eq!(cues[0].start_ms, 1000);
        assert_eq!(cues[0].end_ms, 4500);
        assert_eq!(cues[2].start_ms, 7500);
        assert_eq!(cues[2].speaker.as_deref(), Some("Jo Mentor"));
        assert_eq!(cues[2].text, "I felt heard & seen.");
        let turns = parse_vtt(VTT.as_bytes()).unwrap();
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].text, "So, how has it been? Honestly.");
        assert_eq!(turns[1].text, "I felt heard & seen. It mattered.");
        assert_eq!(turns[1].start_ms, Some(7500));
        let chat = Chat::from_turns(&turns);
        assert_eq!(
            chat.text,
            "Dr Amara Obi: So, how has it been? Honestly.\nJo Mentor: I felt heard & seen. It mattered."
        );
    }

    #[test]
    fn bad_webvtt_files_say_what_is_wrong() {
        assert_eq!(
            parse(
                TranscriptFormat::WebVtt,
                b"1\n00:00:01.000 --> 00:00:02.000\nhi\n"
            ),
            Err(TranscriptError::NoWebVttHeader)
        );
        assert_eq!(
            parse(TranscriptFormat::WebVtt, b"WEBVTTX\n"),
            Err(TranscriptError::NoWebVttHeader)
        );
        assert_eq!(
            parse(
                TranscriptFormat::WebVtt,
                b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n"
            ),
            Err(TranscriptError::CueWithoutText { line: 3 })
        );
        assert_eq!(
            parse(
                TranscriptFormat::WebVtt,
                b"WEBVTT\n\n1\n00:00:01 --> 00:00:02.000\nhi\n"
            ),
            Err(TranscriptError::BadCueTiming {
                line: 4,
                text: "00:00:01 --> 00:00:02.000".into()
            })
        );
        assert_eq!(
            parse(TranscriptFormat::WebVtt, b"WEBVTT - Teams\n\n"),
            Err(TranscriptError::NoCues)
        );
        assert_eq!(
            parse(
                TranscriptFormat::WebVtt,
                b"WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nbackwards\n"
            ),
            Err(TranscriptError::BadCueTiming {
                line: 3,
                text: "00:00:05.000 --> 00:00:02.000".into()
            })
        );
    }

    #[test]
    fn long_turns_are_split_into_sentences_and_short_ones_are_not() {
        let sentence = "We talked about the timetable and what it is like to commute. ";
        let long = sentence.repeat(8) + "Did it help? Yes!";
        let short = "One. Two. Three.";
        let chat = Chat::from_turns(&[
            Turn {
                speaker: Some("Mentor".into()),
                text: long.clone(),
                start_ms: None,
            },
            Turn {
                speaker: None,
                text: short.into(),
                start_ms: None,
            },
        ]);
        assert_eq!(chat.segments.len(), 8 + 2 + 1);
        assert_eq!(
            chat.segment_text(&chat.segments[0]),
            "We talked about the timetable and what it is like to commute."
        );
        assert_eq!(chat.segment_text(&chat.segments[8]), "Did it help?");
        assert_eq!(chat.segment_text(&chat.segments[9]), "Yes!");
        assert_eq!(chat.segment_text(&chat.segments[10]), short);
        assert!(
            chat.segments
                .iter()
                .all(|s| s.speaker.is_some() || s.number == 11)
        );
    }

    #[test]
    fn speaker_labels_are_told_from_ordinary_colons() {
        assert_eq!(
            split_speaker("Mentor 4: yes").0.as_deref(),
            Some("Mentor 4")
        );
        assert_eq!(
            split_speaker("Senior Leader: yes").0.as_deref(),
            Some("Senior Leader")
        );
        assert_eq!(split_speaker("I said: no").0, None);
        assert_eq!(split_speaker("Time 10:30 then").0, None);
        assert_eq!(split_speaker("Dr. Obi: hi").0, None);
        assert_eq!(split_speaker("no colon").1, "no colon");
    }

    #[test]
    fn chat_stages_read_back_what_they_write() {
        for stage in ChatStage::ALL {
            assert_eq!(ChatStage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(ChatStage::parse("End"), None);
    }

    #[test]
    fn file_names_pick_the_format() {
        assert_eq!(
            TranscriptFormat::from_file_name("Chat.DOCX"),
            Some(TranscriptFormat::Docx)
        );
        assert_eq!(
            TranscriptFormat::from_file_name("a.vtt"),
            Some(TranscriptFormat::WebVtt)
        );
        assert_eq!(
            TranscriptFormat::from_file_name("a.txt"),
            Some(TranscriptFormat::Text)
        );
        assert_eq!(TranscriptFormat::from_file_name("a.pdf"), None);
        assert_eq!(TranscriptFormat::from_file_name("noext"), None);
    }

    fn check_segments(chat: &Chat) {
        let mut last_end = 0;
        for (i, s) in chat.segments.iter().enumerate() {
            assert_eq!(s.number as usize, i + 1);
            assert!(s.start < s.end && s.start >= last_end);
            assert!(chat.text.is_char_boundary(s.start) && chat.text.is_char_boundary(s.end));
            last_end = s.end;
        }
    }

    proptest! {
        #[test]
        fn the_parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for format in [TranscriptFormat::Text, TranscriptFormat::Docx, TranscriptFormat::WebVtt] {
                if let Ok(chat) = parse(format, &bytes) {
                    check_segments(&chat);
                }
            }
            let mut zipped = b"PK\x03\x04".to_vec();
            zipped.extend_from_slice(&bytes);
            let _ = parse(TranscriptFormat::Docx, &zipped);
        }

        #[test]
        fn webvtt_like_text_never_panics(body in "(WEBVTT\n\n)?([0-9:.]{0,14}( --> )?[0-9:. a-z]{0,14}\n(<v [A-Za-z ]{0,8}>)?[A-Za-z&;<>:. ]{0,20}\n\n?){0,6}") {
            if let Ok(chat) = parse(TranscriptFormat::WebVtt, body.as_bytes()) {
                check_segments(&chat);
            }
        }

        #[test]
        fn any_text_gives_segments_on_character_boundaries(text in "\\PC{0,900}") {
            if let Ok(chat) = parse(TranscriptFormat::Text, text.as_bytes()) {
                check_segments(&chat);
            }
        }

        #[test]
        fn any_document_xml_never_panics(xml in "<w:p>(<w:t>[^<]{0,12}</w:t>|<w:tab/>|&[a-z#0-9]{0,5};?|</?w:[a-z]{1,3}>){0,8}(</w:p>)?") {
            let _ = parse(TranscriptFormat::Docx, &docx(Some(&xml)));
        }
    }
}

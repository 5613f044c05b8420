//! Taking part in a cycle's evaluation (SPEC §3.5): the dates of its waves, the five labels of
//! an instrument's scale, and checking a respondent's answers. Pure: forms come in as text,
//! rules come out as per-field messages.
use crate::evaluation::{LIKERT_LABELS, Wave};
use chrono::{Months, NaiveDate};
use std::collections::BTreeMap;

/// How long a follow-up wave waits after the post wave closes, by default (SPEC §1).
pub const FOLLOWUP_AFTER_MONTHS: u32 = 6;
/// How long a wave stays open when only its opening date is implied.
pub const DEFAULT_WAVE_DAYS: u64 = 28;

/// When one wave takes answers: from `opens_on` to `closes_on`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaveDates {
    pub wave: Wave,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

impl WaveDates {
    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.opens_on <= today && today <= self.closes_on
    }

    pub fn is_closed(&self, today: NaiveDate) -> bool {
        today > self.closes_on
    }
}

/// The default follow-up after a post wave that closes on `post_closes`: it opens six months
/// later and stays open four weeks.
pub fn default_followup(post_closes: NaiveDate) -> (NaiveDate, NaiveDate) {
    let opens = post_closes
        .checked_add_months(Months::new(FOLLOWUP_AFTER_MONTHS))
        .unwrap_or(post_closes);
    (opens, opens + chrono::Days::new(DEFAULT_WAVE_DAYS))
}

/// A wave as a sentence names it: "the wave before the cycle".
fn the_wave(wave: Wave) -> &'static str {
    match wave {
        Wave::Pre => "the wave before the cycle",
        Wave::Post => "the wave after the cycle",
        Wave::Followup => "the six-month follow-up",
    }
}

/// "Enter the date" as the rest of a sentence: "enter the date".
fn lower_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The field name of a wave's opening or closing date in the dates form, e.g. `pre_opens`.
pub fn date_field(wave: Wave, end: &str) -> String {
    format!("{}_{end}", wave.as_str())
}

/// Checks the three waves' dates as typed (fields `pre_opens`, `pre_closes`, …; dates as
/// YYYY-MM-DD). Pre and post are required; a follow-up left blank defaults to six months after
/// post closes. Each wave closes after it opens, and each opens after the previous one closed.
pub fn validate_wave_dates(
    form: &BTreeMap<String, String>,
) -> Result<Vec<WaveDates>, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    // The three waves share one form: every message names its wave.
    let mut parse = |wave: Wave, end: &str, required: bool| -> Option<NaiveDate> {
        let field = date_field(wave, end);
        let raw = form.get(&field).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            if required {
                errors.insert(field, format!("{}: enter the date it {end}.", wave.title()));
            }
            return None;
        }
        match crate::dates::plausible_date(raw) {
            Ok(d) => Some(d),
            Err(message) => {
                errors.insert(
                    field,
                    format!("{}: {}", wave.title(), lower_first(&message)),
                );
                None
            }
        }
    };
    let pre = (
        parse(Wave::Pre, "opens", true),
        parse(Wave::Pre, "closes", true),
    );
    let post = (
        parse(Wave::Post, "opens", true),
        parse(Wave::Post, "closes", true),
    );
    let followup_given = (
        parse(Wave::Followup, "opens", false),
        parse(Wave::Followup, "closes", false),
    );
    let followup = match (followup_given, post.1) {
        ((Some(o), Some(c)), _) => (Some(o), Some(c)),
        ((None, None), Some(post_closes)) => {
            let (o, c) = default_followup(post_closes);
            (Some(o), Some(c))
        }
        ((Some(o), None), _) => (Some(o), Some(o + chrono::Days::new(DEFAULT_WAVE_DAYS))),
        ((None, Some(c)), _) => {
            errors.insert(
                date_field(Wave::Followup, "opens"),
                "Six-month follow-up: enter the date it opens, or leave both of its dates blank for the default.".into(),
            );
            (None, Some(c))
        }
        _ => (None, None),
    };
    let waves = [
        (Wave::Pre, pre),
        (Wave::Post, post),
        (Wave::Followup, followup),
    ];
    let mut previous_close: Option<(Wave, NaiveDate)> = None;
    let mut out = Vec::new();
    for (wave, (opens, closes)) in waves {
        if let (Some(o), Some(_)) = (opens, closes).filter_both(|o, c| c <= o) {
            errors.insert(
                date_field(wave, "closes"),
                format!(
                    "{}: the wave must close after it opens ({o}).",
                    wave.title()
                ),
            );
        }
        if let (Some((before, prev)), Some(_)) =
            (previous_close, opens).filter_both(|(_, prev), o| o <= prev)
        {
            errors.insert(
                date_field(wave, "opens"),
                format!(
                    "{}: the wave must open after {} closes ({prev}).",
                    wave.title(),
                    the_wave(before)
                ),
            );
        }
        if let (Some(opens_on), Some(closes_on)) = (opens, closes) {
            out.push(WaveDates {
                wave,
                opens_on,
                closes_on,
            });
        }
        previous_close = closes.map(|c| (wave, c)).or(previous_close);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Keeps a pair of options only when both are present and `keep` holds for them.
trait FilterBoth<A, B> {
    fn filter_both(self, keep: impl Fn(&A, &B) -> bool) -> (Option<A>, Option<B>);
}

impl<A, B> FilterBoth<A, B> for (Option<A>, Option<B>) {
    fn filter_both(self, keep: impl Fn(&A, &B) -> bool) -> (Option<A>, Option<B>) {
        match self {
            (Some(a), Some(b)) if keep(&a, &b) => (Some(a), Some(b)),
            _ => (None, None),
        }
    }
}

/// The five labels of a scale, 1 to 5.
pub type ScaleLabels = [String; 5];

/// The default labels, Strongly disagree … Strongly agree.
pub fn default_scale_labels() -> ScaleLabels {
    LIKERT_LABELS.map(str::to_string)
}

/// The field name of the label for `score` in the labels form, e.g. `label_3`.
pub fn label_field(score: usize) -> String {
    format!("label_{score}")
}

/// Checks five scale labels as typed: each present, at most 60 characters, all different.
pub fn validate_scale_labels(typed: &[String]) -> Result<ScaleLabels, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    if typed.len() != 5 {
        errors.insert(label_field(1), "A scale has exactly five labels.".into());
        return Err(errors);
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in typed.iter().enumerate() {
        let score = i + 1;
        let label = raw.trim();
        if label.is_empty() {
            errors.insert(label_field(score), format!("Enter the label for {score}."));
        } else if label.chars().count() > 60 {
            errors.insert(
                label_field(score),
                format!("The label for {score} is longer than 60 characters."),
            );
        } else if let Some(first) = seen.insert(label.to_lowercase(), score) {
            errors.insert(
                label_field(score),
                format!("The label for {score} is the same as the label for {first}: each label must differ."),
            );
        }
    }
    if errors.is_empty() {
        Ok(std::array::from_fn(|i| typed[i].trim().to_string()))
    } else {
        Err(errors)
    }
}

/// Reads stored labels (a JSON array of five); anything else means the default labels.
pub fn stored_scale_labels(json: &str) -> ScaleLabels {
    serde_json::from_str::<Vec<String>>(json)
        .ok()
        .and_then(|v| validate_scale_labels(&v).ok())
        .unwrap_or_else(default_scale_labels)
}

/// The form field of a statement's answer, e.g. `q_belonging`.
pub fn answer_field(statement_code: &str) -> String {
    format!("q_{statement_code}")
}

/// A respondent's answers read from the survey form: the valid ones, and a message per
/// statement that is missing (when `require_all`) or not a score from 1 to 5.
pub fn read_answers(
    statement_codes: &[&str],
    form: &BTreeMap<String, String>,
    require_all: bool,
) -> (Vec<(String, i64)>, BTreeMap<String, String>) {
    let mut answers = Vec::new();
    let mut errors = BTreeMap::new();
    for (i, code) in statement_codes.iter().enumerate() {
        let field = answer_field(code);
        match form.get(&field).map(|s| s.trim()).unwrap_or("") {
            "" if require_all => {
                errors.insert(
                    field,
                    format!("Choose an answer to statement {} before submitting.", i + 1),
                );
            }
            "" => {}
            raw => match raw.parse::<i64>() {
                Ok(score) if (1..=5).contains(&score) => answers.push((code.to_string(), score)),
                _ => {
                    errors.insert(
                        field,
                        format!("Choose one of the five answers to statement {}.", i + 1),
                    );
                }
            },
        }
    }
    (answers, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_follow_up_defaults_to_six_months_after_post_closes() {
        let waves = validate_wave_dates(&form(&[
            ("pre_opens", "2026-10-01"),
            ("pre_closes", "2026-10-21"),
            ("post_opens", "2027-05-01"),
            ("post_closes", "2027-05-31"),
        ]))
        .unwrap();
        assert_eq!(waves.len(), 3);
        assert_eq!(waves[2].wave, Wave::Followup);
        assert_eq!(waves[2].opens_on, d("2027-11-30"));
        assert_eq!(waves[2].closes_on, d("2027-12-28"));
    }

    #[test]
    fn dates_out_of_order_are_refused_field_by_field() {
        let errors = validate_wave_dates(&form(&[
            ("pre_opens", "2026-10-21"),
            ("pre_closes", "2026-10-01"),
            ("post_opens", "2026-09-30"),
            ("post_closes", "2027-05-31"),
            ("followup_opens", "2027-05-01"),
            ("followup_closes", "2027-12-01"),
        ]))
        .unwrap_err();
        assert!(errors["pre_closes"].contains("close after it opens"));
        assert!(errors["post_opens"].contains("after the wave before the cycle closes"));
        assert!(errors["followup_opens"].contains("after the wave after the cycle closes"));
        let errors = validate_wave_dates(&form(&[("pre_opens", "1 Oct")])).unwrap_err();
        assert!(errors["pre_opens"].contains("year-month-day"));
    }

    #[test]
    fn every_date_error_names_its_wave_by_name_since_the_three_share_one_form() {
        let errors = validate_wave_dates(&form(&[
            ("pre_opens", "1 Oct"),
            ("post_opens", "2027-05-01"),
            ("followup_closes", "2027-12-01"),
        ]))
        .unwrap_err();
        assert!(
            errors["pre_opens"].starts_with("Before the cycle: enter the date"),
            "{errors:?}"
        );
        assert!(
            errors["pre_closes"].starts_with("Before the cycle: enter the date it closes"),
            "{errors:?}"
        );
        assert_eq!(
            errors["post_closes"],
            "After the cycle: enter the date it closes."
        );
        assert!(errors["followup_opens"].starts_with("Six-month follow-up: "));
        for message in errors.values() {
            assert!(
                !message.contains(" pre ") && !message.contains(" post "),
                "{message}"
            );
        }
    }

    #[test]
    fn a_wave_is_open_from_its_first_to_its_last_day() {
        let w = WaveDates {
            wave: Wave::Pre,
            opens_on: d("2026-10-01"),
            closes_on: d("2026-10-21"),
        };
        assert!(!w.is_open(d("2026-09-30")));
        assert!(w.is_open(d("2026-10-01")) && w.is_open(d("2026-10-21")));
        assert!(!w.is_open(d("2026-10-22")) && w.is_closed(d("2026-10-22")));
    }

    #[test]
    fn scale_labels_are_five_present_and_distinct() {
        let ok: Vec<String> = ["No", "Rather not", "Unsure", "Rather yes", "Yes"]
            .map(String::from)
            .to_vec();
        assert_eq!(validate_scale_labels(&ok).unwrap()[4], "Yes");
        let mut bad = ok.clone();
        bad[1] = " ".into();
        bad[4] = "no".into();
        let e = validate_scale_labels(&bad).unwrap_err();
        assert!(e["label_2"].contains("Enter"));
        assert!(e["label_5"].contains("same as the label for 1"));
        assert!(validate_scale_labels(&ok[..4]).is_err());
        assert_eq!(stored_scale_labels(""), default_scale_labels());
    }

    #[test]
    fn submitting_needs_every_answer_but_a_draft_does_not() {
        let codes = ["belonging", "valued"];
        let f = form(&[("q_belonging", "4"), ("q_valued", "")]);
        let (answers, errors) = read_answers(&codes, &f, false);
        assert_eq!(answers, vec![("belonging".to_string(), 4)]);
        assert!(errors.is_empty());
        let (_, errors) = read_answers(&codes, &f, true);
        assert!(errors["q_valued"].contains("statement 2"));
        let (_, errors) = read_answers(&codes, &form(&[("q_belonging", "9")]), false);
        assert!(errors.contains_key("q_belonging"));
    }
}

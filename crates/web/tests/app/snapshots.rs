//! Snapshots of the privacy-sensitive pages: what each reader sees of a pair's notes, of a
//! pair from the coordinators' side, of results under suppression, and of a tutee's profile,
//! rendered on the seeded demo and compared as visible text with the files in `snapshots/`.
//! A change to what these pages show must be a change to a checked-in file, seen in review.
//!
//! Rewrite the files with `FLIPSIDE_UPDATE_SNAPSHOTS=1`. Volatile bits are normalised first:
//! dates, times and years (the demo is seeded relative to today); ids and CSRF tokens live in
//! attributes, which the visible text leaves out.
use crate::helpers::{Page, TestApp};
use std::path::PathBuf;

const MONTHS: [&str; 24] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
];
const WEEKDAYS: [&str; 14] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
];

/// The text a reader sees: no markup, scripts or styles, one line per block, entities decoded.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let skip_to = ["<script", "<style"]
            .iter()
            .find(|t| tag.starts_with(**t))
            .and_then(|t| {
                tag.find(&format!("</{}>", &t[1..]))
                    .map(|i| i + t.len() + 2)
            });
        let end = match skip_to {
            Some(i) => i,
            None => tag.find('>').map_or(tag.len(), |i| i + 1),
        };
        out.push('\n');
        rest = &tag[end..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .map(|l| normalise(&l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces what changes from one run to the next: dates, times, years, days of the month,
/// and the zone's abbreviation after a time.
fn normalise(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let core = w.trim_matches(|c: char| !c.is_alphanumeric());
        let digits = core.chars().filter(char::is_ascii_digit).count();
        let next = words
            .get(i + 1)
            .map(|n| n.trim_matches(|c: char| !c.is_alphanumeric()));
        let replaced = if digits > 0 && core.contains(['-', '/', ':']) {
            // 2026-11-30, 14:00, 2026/27
            Some(mask_digits(w))
        } else if digits == 4
            && core.len() == 4
            && (1990..2200).contains(&core.parse().unwrap_or(0))
        {
            Some(w.replace(core, "YYYY"))
        } else if digits == core.len() && digits <= 2 && next.is_some_and(|n| MONTHS.contains(&n)) {
            Some(w.replace(core, "D"))
        } else if MONTHS.contains(&core)
            && (i > 0 || next.is_some_and(|n| n.chars().any(|c| c.is_ascii_digit())))
        {
            Some(w.replace(core, "MONTH"))
        } else if WEEKDAYS.contains(&core) {
            Some(w.replace(core, "WEEKDAY"))
        } else if matches!(core, "GMT" | "BST")
            && i > 0
            && words[i - 1].chars().any(|c| c.is_ascii_digit())
        {
            // London's offset after a time: GMT in winter, BST in summer.
            Some(w.replace(core, "ZONE"))
        } else {
            None
        };
        out.push(replaced.unwrap_or_else(|| (*w).to_string()));
    }
    out.join(" ")
}

fn mask_digits(w: &str) -> String {
    let mut s = String::new();
    let mut in_digits = false;
    for c in w.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                s.push('#');
            }
            in_digits = true;
        } else {
            s.push(c);
            in_digits = false;
        }
    }
    s
}

/// Compares a page's visible text with `snapshots/{name}.txt`, or rewrites the file.
fn assert_snapshot(name: &str, page: &Page) {
    assert_eq!(page.status, 200, "{name}: {}", page.body);
    let text = visible_text(&page.body) + "\n";
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "app", "snapshots"]
        .iter()
        .collect::<PathBuf>()
        .join(format!("{name}.txt"));
    if std::env::var("FLIPSIDE_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with FLIPSIDE_UPDATE_SNAPSHOTS=1 to write it",
            path.display()
        )
    });
    if expected != text {
        let first = expected
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(text.lines().count()));
        panic!(
            "{name}: the page's visible text differs from {} from line {}:\n  expected: {:?}\n  actual:   {:?}\n(rewrite with FLIPSIDE_UPDATE_SNAPSHOTS=1 if the change is meant)\n--- actual ---\n{text}",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            text.lines().nth(first),
        );
    }
}

/// The demo pilot's active pair (mentor2 and mentee2).
async fn demo_pair(app: &TestApp) -> i64 {
    let mentor = app
        .store
        .user_by_email("mentor2@demo.flipside.test")
        .await
        .unwrap();
    app.store
        .pairs_of_user(mentor.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.status() == flipside_store::PairStatus::Active)
        .unwrap()
        .id
}

#[tokio::test]
async fn a_pair_members_page_shows_their_own_notes_and_those_shared_with_them() {
    let app = TestApp::spawn_demo().await;
    let mentor = app.demo_signed_in("mentor2").await;
    let pair = demo_pair(&app).await;
    let notes = format!("/pairs/{pair}/notes");
    // A checkbox shares when present at all: the private note leaves it out.
    let private = [(
        "note_body",
        "Private to the mentor: the leader seemed tired.",
    )];
    let shared = [
        ("note_body", "Shared: we agreed to read the module survey."),
        ("note_shared", "yes"),
    ];
    for fields in [&private[..], &shared[..]] {
        let r = mentor.post(&notes, fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_snapshot(
        "pair_page_mentor",
        &mentor.get(&format!("/pairs/{pair}")).await,
    );
    let mentee = app.demo_signed_in("mentee2").await;
    assert_snapshot(
        "pair_page_mentee",
        &mentee.get(&format!("/pairs/{pair}")).await,
    );
}

#[tokio::test]
async fn the_coordinators_see_a_cycles_pairs_without_their_notes() {
    let app = TestApp::spawn_demo().await;
    let mentor = app.demo_signed_in("mentor2").await;
    let pair = demo_pair(&app).await;
    let r = mentor
        .post(
            &format!("/pairs/{pair}/notes"),
            &[
                ("note_body", "Never for the coordinators."),
                ("note_shared", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let cycle = app.store.pair(pair).await.unwrap().cycle_id;
    let coordinator = app.demo_signed_in("coordinator").await;
    let page = coordinator.get(&format!("/cycles/{cycle}/pairs")).await;
    assert_snapshot("cycle_pairs_coordinator", &page);
    assert!(!page.body.contains("Never for the coordinators."));
}

#[tokio::test]
async fn results_under_the_publication_rule_show_dashes_for_small_groups() {
    let app = TestApp::spawn_demo().await;
    app.store
        .update_organisation("Northmoor", 5, "publication", 20)
        .await
        .unwrap();
    let past = app.demo_past_cycle().await;
    let coordinator = app.demo_signed_in("coordinator").await;
    assert_snapshot(
        "results_publication_rule",
        &coordinator
            .get(&format!("/cycles/{}/results", past.id))
            .await,
    );
}

#[tokio::test]
async fn a_tutor_sees_only_what_their_tutee_chose_to_share() {
    let app = TestApp::spawn_demo().await;
    let tutor = app.demo_signed_in("tutor").await;
    let tutees = tutor.get("/tutoring/tutees").await;
    assert_eq!(tutees.status, 200);
    // The demo's student account is Jordan Baptiste's record.
    let before = &tutees.body[..tutees.body.find("Jordan Baptiste").unwrap()];
    let at = before.rfind("/tutoring/students/").unwrap() + "/tutoring/students/".len();
    let student: i64 = before[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    let page = tutor
        .get(&format!("/tutoring/students/{student}/profile"))
        .await;
    assert_snapshot("tutee_profile_tutor", &page);
    assert!(
        page.body
            .contains("A training contract with a regional firm")
    );
    // The profile's unshared parts stay with the student.
    assert!(!page.body.contains("Keeping a 2:1"));
    assert!(!page.body.contains("I work evenings"));
}

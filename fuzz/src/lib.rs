//! What every fuzz target asserts, shared by the targets in `fuzz_targets/`.
//!
//! A parser of outside input may refuse anything, but it must never panic, and what it says
//! must be true of the input: every line it names exists, every column it names is one of the
//! file's, and whatever it accepts keeps the rules it promises (ranges, uniqueness, lengths).
#![forbid(unsafe_code)]

use flipside_core::import::{self, Files, ImportError, Institution, Known, Source};

/// The number of lines a reader of `data` can name: lines are counted at `\n` (as the CSV
/// reader and `str::lines` do), and an empty input still has its line 1.
pub fn line_count(data: &[u8]) -> u64 {
    data.iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Asserts that `line` is a line of an input of `lines` lines.
pub fn assert_line_exists(line: u64, lines: u64, what: &dyn std::fmt::Debug) {
    assert!(
        (1..=lines).contains(&line),
        "line {line} does not exist in an input of {lines} lines: {what:?}"
    );
}

/// Which of the four import files a target feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFile {
    Schools,
    Tutors,
    Students,
    Assignments,
}

impl ImportFile {
    fn columns(self) -> &'static [&'static str] {
        match self {
            ImportFile::Schools => &["school_code", "school_name", "faculty"],
            ImportFile::Tutors => &["tutor_id", "name", "email", "school_code", "capacity"],
            ImportFile::Students => &[
                "student_id",
                "name",
                "email",
                "school_code",
                "programme",
                "year_of_study",
                "entry_age",
                "identity_labels",
                "identity_consent",
            ],
            ImportFile::Assignments => &["student_id", "tutor_id", "academic_year"],
        }
    }
}

/// What is already stored when a single file is fuzzed, so that references in the seeds
/// (Schools LAW and HIS, tutors T1 and T2, students S1 and S2) resolve and the fuzzer gets
/// past them to the rest of the row.
pub fn known() -> Known {
    let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect();
    Known {
        school_codes: set(&["LAW", "HIS"]),
        tutor_ids: set(&["T1", "T2"]),
        student_ids: set(&["S1", "S2"]),
    }
}

/// Reads `data` as the given import file and checks what the reader says about it.
pub fn check_import(file: ImportFile, data: &[u8]) {
    let name = "input.csv";
    let source = Some(Source::new(name, data));
    let mut files = Files {
        schools: None,
        tutors: None,
        students: None,
        assignments: None,
    };
    match file {
        ImportFile::Schools => files.schools = source,
        ImportFile::Tutors => files.tutors = source,
        ImportFile::Students => files.students = source,
        ImportFile::Assignments => files.assignments = source,
    }
    let known = known();
    match import::read_institution(files, &known) {
        Ok(institution) => check_institution(&institution),
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without a reason");
            let lines = line_count(data);
            for e in &errors {
                check_import_error(e, name, file, lines);
            }
        }
    }
}

fn check_import_error(e: &ImportError, name: &str, file: ImportFile, lines: u64) {
    assert_eq!(e.file, name, "{e:?}");
    assert_line_exists(e.line, lines, e);
    assert!(
        e.column.is_empty() || file.columns().contains(&e.column.as_str()),
        "an error names a column the file does not have: {e:?}"
    );
    assert!(!e.message.is_empty(), "{e:?}");
}

fn check_text(value: &str) {
    assert!(!value.is_empty(), "an empty field was accepted");
    assert_eq!(value, value.trim(), "an untrimmed field was accepted");
    assert!(
        value.chars().count() <= 200,
        "an over-long field was accepted"
    );
}

fn check_unique<'a>(ids: impl Iterator<Item = &'a str>) {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        assert!(seen.insert(id), "duplicate id {id:?} accepted");
    }
}

fn check_institution(i: &Institution) {
    let known = known();
    for s in &i.schools {
        check_text(&s.code);
        check_text(&s.name);
        check_text(&s.faculty);
    }
    check_unique(i.schools.iter().map(|s| s.code.as_str()));
    check_unique(i.schools.iter().map(|s| s.name.as_str()));
    for t in &i.tutors {
        check_text(&t.tutor_id);
        check_text(&t.name);
        assert!(import::looks_like_email(&t.email), "{t:?}");
        assert!(known.school_codes.contains(&t.school_code), "{t:?}");
        let (low, high) = import::CAPACITY_RANGE;
        assert!((low..=high).contains(&t.capacity), "{t:?}");
    }
    check_unique(i.tutors.iter().map(|t| t.tutor_id.as_str()));
    for s in &i.students {
        check_text(&s.student_id);
        check_text(&s.name);
        check_text(&s.programme);
        assert!(import::looks_like_email(&s.email), "{s:?}");
        assert!(known.school_codes.contains(&s.school_code), "{s:?}");
        let (low, high) = import::YEAR_OF_STUDY_RANGE;
        assert!((low..=high).contains(&s.year_of_study), "{s:?}");
        if let Some(age) = s.entry_age {
            let (low, high) = import::ENTRY_AGE_RANGE;
            assert!((low..=high).contains(&age), "{s:?}");
        }
        assert!(s.identity_labels.is_sorted(), "{s:?}");
        for label in &s.identity_labels {
            check_text(label);
        }
        check_unique(s.identity_labels.iter().map(String::as_str));
    }
    check_unique(i.students.iter().map(|s| s.student_id.as_str()));
    let mut seen = std::collections::HashSet::new();
    for a in &i.assignments {
        assert!(known.student_ids.contains(&a.student_id), "{a:?}");
        assert!(known.tutor_ids.contains(&a.tutor_id), "{a:?}");
        assert!(
            seen.insert((a.student_id.as_str(), a.academic_year)),
            "two tutors of record for one student and year: {a:?}"
        );
    }
}

/// Analyses `data` as a responses CSV and checks the report or the refusal.
pub fn check_analyse(data: &[u8]) {
    use flipside_batch::analyse::{self, InputError, Options};
    let lines = line_count(data);
    match analyse::analyse(data, &Options::default()) {
        Ok(report) => {
            assert!(
                report.items.windows(2).all(|w| w[0].item < w[1].item),
                "items are not in strict byte order"
            );
            for item in &report.items {
                assert!(!item.item.is_empty(), "{item:?}");
                assert!(item.n_paired <= item.n_pre.min(item.n_post), "{item:?}");
                for mean in [item.mean_pre, item.mean_post].into_iter().flatten() {
                    assert!((1.0..=5.0).contains(&mean), "{item:?}");
                }
                if let Some(change) = item.mean_change {
                    assert!((-4.0..=4.0).contains(&change), "{item:?}");
                }
                for sd in [item.sd_pre, item.sd_post].into_iter().flatten() {
                    assert!(sd.is_finite() && sd >= 0.0, "{item:?}");
                }
                if let Some(w) = &item.wilcoxon {
                    assert!((0.0..=1.0).contains(&w.p_value), "{item:?}");
                    assert!(w.statistic >= 0.0, "{item:?}");
                }
                if let Some(m) = &item.mann_whitney {
                    assert!((0.0..=1.0).contains(&m.p_value), "{item:?}");
                    assert!(m.u >= 0.0, "{item:?}");
                }
                for r in [item.effect_size_r, item.rank_biserial]
                    .into_iter()
                    .flatten()
                {
                    assert!((-1.0..=1.0).contains(&r), "{item:?}");
                }
            }
        }
        Err(e) => {
            match &e {
                InputError::Csv { line, .. } => {
                    if let Some(line) = line {
                        assert_line_exists(*line, lines, &e);
                    }
                }
                InputError::MissingColumn { .. } => {}
                InputError::ShortRecord { line, .. } | InputError::BadValue { line, .. } => {
                    assert_line_exists(*line, lines, &e);
                }
                InputError::Duplicate { first, second, .. } => {
                    assert_line_exists(*first, lines, &e);
                    assert_line_exists(*second, lines, &e);
                    assert!(first < second, "{e:?}");
                }
            }
            assert!(!e.to_string().is_empty());
        }
    }
}

/// The most edges the allocate target solves: the solver is exact and polynomial, and a
/// fuzzer's time is better spent on many small inputs than on a few big ones.
const MAX_SOLVED_EDGES: usize = 2_000;

/// Reads `data` as the two inputs of `flipside allocate`, the tutors CSV and the edges CSV
/// separated by the first NUL byte, solves small instances and checks the allocation.
pub fn check_allocate(data: &[u8]) {
    use flipside_batch::allocate::{self, InputError};
    use flipside_core::allocation::{self, Problem};
    let (tutors_csv, edges_csv) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"student_id,tutor_id,cost\n"[..]),
    };
    let named = |e: &InputError, file: &str, csv: &[u8], columns: &[&str]| {
        assert_eq!(e.file, file, "{e:?}");
        assert_line_exists(e.line, line_count(csv), e);
        assert!(
            e.column == "-" || columns.contains(&e.column.as_str()),
            "{e:?}"
        );
    };
    let tutors = match allocate::read_tutors(tutors_csv, "tutors.csv") {
        Ok(t) => t,
        Err(e) => return named(&e, "tutors.csv", tutors_csv, &["tutor_id", "capacity"]),
    };
    assert_eq!(tutors.ids.len(), tutors.capacities.len());
    let edges = match allocate::read_edges(edges_csv, "edges.csv", &tutors) {
        Ok(e) => e,
        Err(e) => {
            return named(
                &e,
                "edges.csv",
                edges_csv,
                &["student_id", "tutor_id", "cost"],
            );
        }
    };
    for e in &edges.edges {
        assert!((e.student as usize) < edges.student_ids.len());
        assert!((e.tutor as usize) < tutors.ids.len());
        assert!(e.cost.abs() <= allocation::MAX_ABS_COST);
    }
    if edges.edges.len() > MAX_SOLVED_EDGES {
        return;
    }
    let problem = Problem::new(
        tutors.capacities.clone(),
        edges.student_ids.len(),
        &edges.edges,
    )
    .expect("edges that were read make a problem");
    // An unplaced cost derived from the input, so that both kinds of run are explored.
    let unplaced_cost = (data.len() % 3 == 0).then_some(data.len() as i64 - 50);
    let Ok(solution) = allocation::allocate(&problem, unplaced_cost) else {
        assert!(unplaced_cost.is_none(), "infeasible with an unplaced cost");
        return;
    };
    assert_eq!(solution.placements.len(), edges.student_ids.len());
    let mut load = vec![0u64; tutors.ids.len()];
    let mut total = 0i64;
    for (student, placement) in solution.placements.iter().enumerate() {
        match placement {
            Some(p) => {
                load[p.tutor as usize] += 1;
                total += p.cost;
                assert!(
                    problem
                        .edges_of(student)
                        .any(|(t, c)| t == p.tutor && c == p.cost),
                    "student {student} placed on an edge that was not given"
                );
            }
            None => total += unplaced_cost.expect("unplaced without an unplaced cost"),
        }
    }
    assert_eq!(total, solution.total_cost);
    for (tutor, load) in load.iter().enumerate() {
        assert!(
            *load <= u64::from(tutors.capacities[tutor]),
            "tutor {tutor} over capacity"
        );
    }
    let mut out = Vec::new();
    allocate::write_allocation(&mut out, &tutors, &edges, &solution, unplaced_cost)
        .expect("writing to memory");
    assert_eq!(line_count(&out), edges.student_ids.len() as u64 + 2);
}

/// Reads `data` as a meeting plan and as expectations, the two texts a coordinator edits.
pub fn check_meeting_plan(data: &[u8]) {
    use flipside_core::framework;
    // The form delivers UTF-8 text; other bytes never reach the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count().max(1) as u64;
    match framework::plan_from_text(text) {
        Ok(sessions) => {
            assert!(!sessions.is_empty() && sessions.len() <= 20);
            for s in &sessions {
                check_text_line(&s.topic);
                assert!(!s.prompts.is_empty(), "{s:?}");
                s.prompts.iter().for_each(|p| check_text_line(p));
                s.pre_reading.iter().for_each(|r| check_text_line(r));
            }
            // What the edit page shows is what the plan was read from: saving it again must
            // give the same plan.
            let again = framework::plan_to_text(&sessions);
            assert_eq!(
                framework::plan_from_text(&again).as_ref(),
                Ok(&sessions),
                "the plan does not survive its own text form: {again:?}"
            );
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.is_sorted_by_key(|e| e.line), "{errors:?}");
            for e in &errors {
                assert_line_exists(e.line as u64, lines, e);
            }
        }
    }
    match framework::expectations_from_text(text) {
        Ok(expectations) => {
            assert!(!expectations.is_empty());
            expectations.iter().for_each(|e| check_text_line(e));
        }
        Err(errors) => {
            for e in &errors {
                assert_line_exists(e.line as u64, lines, e);
            }
        }
    }
}

fn check_text_line(value: &str) {
    assert!(!value.is_empty(), "an empty text was accepted");
    assert_eq!(value, value.trim(), "an untrimmed text was accepted");
    assert!(
        value.chars().count() <= 500,
        "an over-long text was accepted"
    );
    assert!(!value.contains('\n'), "{value:?}");
}

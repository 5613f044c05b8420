use super::*;

const SCHOOLS: &str = "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\nHIS,School of History,Faculty of Arts\n";
const TUTORS: &str = "tutor_id,name,email,school_code,capacity,room\nT1,Ada Quill,ada.quill@example.ac.uk,LAW,12,B12\nT2,Ben Sorrel,ben.sorrel@example.ac.uk,HIS,8,\n";
const STUDENTS: &str = "student_id,name,email,school_code,programme,year_of_study,entry_age,identity_labels,identity_consent\nS1,Cat Marsh,cat@example.ac.uk,LAW,LLB Law,2,19,International;Mature (21+) entry,yes\nS2,Dan Reed,dan@example.ac.uk,HIS,BA History,1,,,no\n";
const ASSIGNMENTS: &str = "student_id,tutor_id,academic_year\nS1,T1,2024/25\n";

fn files<'a>(
    schools: Option<&'a str>,
    tutors: Option<&'a str>,
    students: Option<&'a str>,
    assignments: Option<&'a str>,
) -> Files<&'a [u8]> {
    let src = |name: &str, text: Option<&'a str>| text.map(|t| Source::new(name, t.as_bytes()));
    Files {
        schools: src("schools.csv", schools),
        tutors: src("tutors.csv", tutors),
        students: src("students.csv", students),
        assignments: src("assignments.csv", assignments),
    }
}

fn errors_of(f: Files<&[u8]>, known: &Known) -> Vec<String> {
    read_institution(f, known)
        .expect_err("the input should be refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_complete_institution_is_read_with_extra_columns_ignored() {
    let got = read_institution(
        files(
            Some(SCHOOLS),
            Some(TUTORS),
            Some(STUDENTS),
            Some(ASSIGNMENTS),
        ),
        &Known::default(),
    )
    .unwrap();
    assert_eq!(got.schools.len(), 2);
    assert_eq!(got.schools[0].faculty, "Faculty of Social Sciences");
    assert_eq!(got.tutors[0].capacity, 12);
    assert_eq!(
        got.students[0].identity_labels,
        vec!["International", "Mature (21+) entry"]
    );
    assert_eq!(got.students[0].entry_age, Some(19));
    assert_eq!(got.students[1].entry_age, None);
    assert_eq!(got.assignments[0].academic_year.start_year(), 2024);
}

#[test]
fn an_unknown_school_is_named_with_file_line_and_column() {
    let students = "student_id,name,email,school_code,programme,year_of_study\nS1,Cat Marsh,cat@example.ac.uk,LAW,LLB,1\nS2,Dan Reed,dan@example.ac.uk,LAWX,LLB,1\n";
    let errors = errors_of(
        files(Some(SCHOOLS), None, Some(students), None),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec!["students.csv line 3, column school_code: unknown School 'LAWX'"]
    );
}

#[test]
fn schools_already_stored_may_be_referred_to() {
    let known = Known {
        school_codes: ["LAW".to_string()].into(),
        ..Known::default()
    };
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada@example.ac.uk,LAW,3\n";
    let got = read_institution(files(None, Some(tutors), None, None), &known).unwrap();
    assert_eq!(got.tutors.len(), 1);
}

#[test]
fn a_missing_header_column_is_named() {
    let tutors = "tutor_id,name,email,capacity\nT1,Ada,ada@example.ac.uk,3\n";
    let errors = errors_of(
        files(Some(SCHOOLS), Some(tutors), None, None),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec!["tutors.csv line 1, column school_code: missing column in the header"]
    );
}

#[test]
fn duplicates_within_a_file_name_both_lines() {
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,Ada,ada@example.ac.uk,LAW,3\nT2,Ben,ben@example.ac.uk,LAW,3\nT1,Ada again,ada2@example.ac.uk,LAW,3\n";
    let errors = errors_of(
        files(Some(SCHOOLS), Some(tutors), None, None),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec!["tutors.csv line 4, column tutor_id: duplicate tutor_id 'T1' (first on line 2)"]
    );
    let schools = "school_code,school_name,faculty\nLAW,School of Law,F\nLAW,Law School,F\n";
    let errors = errors_of(files(Some(schools), None, None, None), &Known::default());
    assert_eq!(
        errors,
        vec![
            "schools.csv line 3, column school_code: duplicate school_code 'LAW' (first on line 2)"
        ]
    );
    let assignments = "student_id,tutor_id,academic_year\nS1,T1,2024/25\nS1,T2,2024-25\n";
    let errors = errors_of(
        files(
            Some(SCHOOLS),
            Some(TUTORS),
            Some(STUDENTS),
            Some(assignments),
        ),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec![
            "assignments.csv line 3, column student_id: duplicate assignment of student 'S1' for 2024-25 (first on line 2)"
        ]
    );
}

#[test]
fn ranges_emails_and_empty_fields_are_checked_field_by_field() {
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,,not-an-email,LAW,-1\nT2,Ben,ben@example,LAW,many\n";
    let errors = errors_of(
        files(Some(SCHOOLS), Some(tutors), None, None),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec![
            "tutors.csv line 2, column name: is empty",
            "tutors.csv line 2, column email: 'not-an-email' is not an email address",
            "tutors.csv line 2, column capacity: must be a whole number from 0 to 500, not '-1'",
            "tutors.csv line 3, column email: 'ben@example' is not an email address",
            "tutors.csv line 3, column capacity: must be a whole number from 0 to 500, not 'many'",
        ]
    );
    let students = "student_id,name,email,school_code,programme,year_of_study,entry_age\nS1,Cat,cat@example.ac.uk,LAW,LLB,9,12\n";
    let errors = errors_of(
        files(Some(SCHOOLS), None, Some(students), None),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec![
            "students.csv line 2, column year_of_study: must be a whole number from 1 to 8, not '9'",
            "students.csv line 2, column entry_age: must be a whole number from 14 to 99, not '12'",
        ]
    );
}

#[test]
fn identity_labels_without_consent_are_refused_and_never_kept() {
    let students = "student_id,name,email,school_code,programme,year_of_study,identity_labels,identity_consent\nS1,Cat,cat@example.ac.uk,LAW,LLB,1,International,no\nS2,Dan,dan@example.ac.uk,LAW,LLB,1,International,\nS3,Eve,eve@example.ac.uk,LAW,LLB,1,,maybe\n";
    let errors = errors_of(
        files(Some(SCHOOLS), None, Some(students), None),
        &Known::default(),
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("students.csv line 2, column identity_labels: identity labels are given but identity_consent is not 'yes'"));
    assert!(errors[1].starts_with("students.csv line 3, column identity_labels:"));
    assert_eq!(
        errors[2],
        "students.csv line 4, column identity_consent: must be 'yes' or 'no', not 'maybe'"
    );
    // Labels in a file without the consent column are refused too.
    let students = "student_id,name,email,school_code,programme,year_of_study,identity_labels\nS1,Cat,cat@example.ac.uk,LAW,LLB,1,International\n";
    assert_eq!(
        errors_of(
            files(Some(SCHOOLS), None, Some(students), None),
            &Known::default()
        )
        .len(),
        1
    );
}

#[test]
fn assignments_must_name_known_students_tutors_and_a_real_year() {
    let assignments =
        "student_id,tutor_id,academic_year\nS9,T1,2024/25\nS1,T9,2024/25\nS2,T2,last year\n";
    let errors = errors_of(
        files(
            Some(SCHOOLS),
            Some(TUTORS),
            Some(STUDENTS),
            Some(assignments),
        ),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec![
            "assignments.csv line 2, column student_id: unknown student 'S9'",
            "assignments.csv line 3, column tutor_id: unknown tutor 'T9'",
            "assignments.csv line 4, column academic_year: 'last year' is not an academic year: write it as 2025/26",
        ]
    );
    // Students and tutors already stored count as known.
    let known = Known {
        student_ids: ["S9".to_string()].into(),
        tutor_ids: ["T9".to_string()].into(),
        ..Known::default()
    };
    let assignments = "student_id,tutor_id,academic_year\nS9,T9,2024/25\n";
    assert!(read_institution(files(None, None, None, Some(assignments)), &known).is_ok());
}

#[test]
fn errors_in_every_file_are_collected_together() {
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,Ada,ada@example.ac.uk,NOPE,3\n";
    let students = "student_id,name,email,school_code,programme,year_of_study\nS1,Cat,cat@example.ac.uk,NOPE,LLB,1\n";
    let errors = errors_of(
        files(Some(SCHOOLS), Some(tutors), Some(students), None),
        &Known::default(),
    );
    assert_eq!(errors.len(), 2);
    assert!(errors[0].starts_with("tutors.csv line 2"));
    assert!(errors[1].starts_with("students.csv line 2"));
}

#[test]
fn quoted_fields_with_newlines_keep_line_numbers_right() {
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,\"Ada\nQuill\",ada@example.ac.uk,LAW,3\nT2,Ben,ben@example.ac.uk,LAW,x\n";
    let errors = errors_of(
        files(Some(SCHOOLS), Some(tutors), None, None),
        &Known::default(),
    );
    // The name spanning lines 2 and 3 is refused where it starts, and the next record is still
    // counted from the line it is on.
    assert_eq!(
        errors,
        vec![
            "tutors.csv line 2, column name: holds a line break: each field is one line of printable characters",
            "tutors.csv line 4, column capacity: must be a whole number from 0 to 500, not 'x'",
        ]
    );
}

#[test]
fn the_generator_is_deterministic_and_its_files_import_cleanly() {
    let a = generate::generate(500, 40, "2024/25", 7);
    assert_eq!(a, generate::generate(500, 40, "2024/25", 7));
    assert_ne!(
        a.students,
        generate::generate(500, 40, "2024/25", 8).students
    );
    let got = read_institution(
        Files {
            schools: Some(Source::new("schools.csv", a.schools.as_bytes())),
            tutors: Some(Source::new("tutors.csv", a.tutors.as_bytes())),
            students: Some(Source::new("students.csv", a.students.as_bytes())),
            assignments: Some(Source::new("assignments.csv", a.assignments.as_bytes())),
        },
        &Known::default(),
    )
    .unwrap();
    assert_eq!((got.students.len(), got.tutors.len()), (500, 40));
    assert!(got.assignments.len() > 200);
    let capacity: i64 = got.tutors.iter().map(|t| t.capacity).sum();
    assert!(
        capacity >= 500,
        "capacity {capacity} must cover every student"
    );
}

/// Arbitrary input never panics the reader, and what it says is true of the input: the same
/// checks as the `import_*` fuzz targets (fuzz/), here over bytes and over CSV-shaped text so
/// that `cargo test` covers them without cargo-fuzz.
mod arbitrary_input {
    use super::*;
    use proptest::prelude::*;

    const SCHOOL_COLUMNS: &[&str] = &["school_code", "school_name", "faculty"];
    const TUTOR_COLUMNS: &[&str] = &["tutor_id", "name", "email", "school_code", "capacity"];
    const STUDENT_COLUMNS: &[&str] = &[
        "student_id",
        "name",
        "email",
        "school_code",
        "programme",
        "year_of_study",
        "entry_age",
        "identity_labels",
        "identity_consent",
    ];
    const ASSIGNMENT_COLUMNS: &[&str] = &["student_id", "tutor_id", "academic_year"];
    const ALL: [&[&str]; 4] = [
        SCHOOL_COLUMNS,
        TUTOR_COLUMNS,
        STUDENT_COLUMNS,
        ASSIGNMENT_COLUMNS,
    ];

    fn known() -> Known {
        let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect();
        Known {
            school_codes: set(&["LAW", "HIS"]),
            tutor_ids: set(&["T1", "T2"]),
            student_ids: set(&["S1", "S2"]),
        }
    }

    /// Reads `data` as file `which` (an index into [`ALL`]) and checks the answer.
    fn check(which: usize, data: &[u8]) {
        let source = Some(Source::new("input.csv", data));
        let mut f = files(None, None, None, None);
        match which {
            0 => f.schools = source,
            1 => f.tutors = source,
            2 => f.students = source,
            _ => f.assignments = source,
        }
        let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        match read_institution(f, &known()) {
            Ok(got) => {
                for t in &got.tutors {
                    assert!(crate::email::Email::parse(&t.email).is_ok(), "{t:?}");
                    assert!((0..=500).contains(&t.capacity), "{t:?}");
                }
                for s in &got.students {
                    assert!(crate::email::Email::parse(&s.email).is_ok(), "{s:?}");
                    assert!((1..=8).contains(&s.year_of_study), "{s:?}");
                    assert!(s.identity_labels.is_sorted(), "{s:?}");
                }
            }
            Err(errors) => {
                assert!(!errors.is_empty());
                for e in &errors {
                    assert_eq!(e.file, "input.csv");
                    assert!((1..=lines).contains(&e.line), "{e:?} of {lines} lines");
                    assert!(
                        e.column.is_empty() || ALL[which].contains(&e.column.as_str()),
                        "{e:?}"
                    );
                }
            }
        }
    }

    /// CSV-shaped text: a header of the file's columns (some dropped, extra ones added) and
    /// rows of short fields drawn from characters that matter to the reader.
    fn csv_text(columns: &'static [&'static str]) -> impl Strategy<Value = String> {
        let header = proptest::sample::subsequence(columns.to_vec(), 0..=columns.len())
            .prop_shuffle()
            .prop_map(|c| c.join(","));
        let field = prop_oneof![
            "[A-Za-z0-9 ]{0,6}",
            "[a-z]{1,4}@[a-z]{1,4}\\.[a-z]{2}",
            "-?[0-9]{1,3}",
            "20[0-9]{2}[/-][0-9]{2,4}",
            Just("LAW".to_string()),
            Just("S1".to_string()),
            Just("T1".to_string()),
            Just("yes".to_string()),
            "[\",;\r\n\u{feff}\u{0}é@.]{0,3}",
        ];
        let row = proptest::collection::vec(field, 0..10).prop_map(|f| f.join(","));
        let rows = proptest::collection::vec(row, 0..6);
        (
            header,
            rows,
            prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        )
            .prop_map(|(header, rows, end)| {
                let mut text = header;
                for row in rows {
                    text.push_str(end);
                    text.push_str(&row);
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_bytes_are_read_or_refused_naming_lines_that_exist(
            which in 0usize..4,
            data in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            check(which, &data);
        }

        #[test]
        fn csv_shaped_text_is_read_or_refused_naming_lines_that_exist(
            (which, text) in (0usize..4).prop_flat_map(|w| (Just(w), csv_text(ALL[w]))),
        ) {
            check(which, text.as_bytes());
        }
    }
}

#[test]
fn a_field_with_a_line_break_or_control_character_is_named_with_its_line_and_column() {
    // A quoted field may hold a line break in CSV; an id, name or label holding one would be
    // written back out by every export as two rows, so it is refused where it was read.
    let students = "student_id,name,email,school_code,programme,year_of_study,identity_labels,identity_consent\n\"S1\nS9\",Cat Marsh,cat@example.ac.uk,LAW,LLB,1,,no\nS2,\"Dan\tReed\",dan@example.ac.uk,LAW,LLB,1,,no\nS3,Eve Lark,eve@example.ac.uk,LAW,LLB,1,\"Mature\u{7}\",yes\n";
    let errors = errors_of(
        files(Some(SCHOOLS), None, Some(students), None),
        &Known::default(),
    );
    assert_eq!(
        errors,
        vec![
            "students.csv line 2, column student_id: holds a line break: each field is one line of printable characters",
            "students.csv line 4, column name: holds a tab: each field is one line of printable characters",
            "students.csv line 5, column identity_labels: holds the control character 0x07: each field is one line of printable characters",
        ]
    );
}

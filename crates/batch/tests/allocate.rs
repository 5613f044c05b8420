//! `flipside allocate` through its library functions: CSV in, allocation out, and the errors
//! that name a line and a column.

use std::fs;
use std::path::PathBuf;

use flipside_batch::allocate::{
    AllocateArgs, AllocateError, InputError, read_edges, read_tutors, run,
};
use flipside_core::allocation::AllocationError;

/// A fresh directory per test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("flipside-allocate-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn args(&self, tutors: &str, edges: &str, unplaced_cost: Option<i64>) -> AllocateArgs {
        fs::write(self.0.join("tutors.csv"), tutors).unwrap();
        fs::write(self.0.join("edges.csv"), edges).unwrap();
        AllocateArgs {
            tutors: self.0.join("tutors.csv"),
            edges: self.0.join("edges.csv"),
            out: self.0.join("allocation.csv"),
            unplaced_cost,
            timings: false,
        }
    }

    fn output(&self) -> String {
        fs::read_to_string(self.0.join("allocation.csv")).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn input_error(tutors: &str, edges: &str) -> InputError {
    let t = match read_tutors(tutors.as_bytes(), "tutors.csv") {
        Ok(t) => t,
        Err(e) => return e,
    };
    read_edges(edges.as_bytes(), "edges.csv", &t).expect_err("the input should be rejected")
}

#[test]
fn writes_one_row_per_student_in_order_of_appearance_and_the_total() {
    let scratch = Scratch::new("rows");
    let args = scratch.args(
        "tutor_id,capacity,school\nT1,1,Maths\nT2,1,Physics\n",
        "student_id,tutor_id,cost\nbob,T1,1\nbob,T2,2\nann,T1,1\nann,T2,50\n",
        None,
    );
    let outcome = run(&args).unwrap();
    assert_eq!(outcome.total_cost, 3);
    assert_eq!(
        scratch.output(),
        "student_id,tutor_id,cost\nbob,T2,2\nann,T1,1\n"
    );
}

#[test]
fn unplaced_students_get_an_empty_tutor_and_the_unplaced_cost() {
    let scratch = Scratch::new("unplaced");
    let args = scratch.args(
        "tutor_id,capacity\nT1,1\n",
        "student_id,tutor_id,cost\na,T1,5\nb,T1,7\n",
        Some(100),
    );
    let outcome = run(&args).unwrap();
    assert_eq!((outcome.unplaced, outcome.total_cost), (1, 105));
    assert_eq!(
        scratch.output(),
        "student_id,tutor_id,cost\na,T1,5\nb,,100\n"
    );
}

#[test]
fn columns_may_come_in_any_order_with_extra_ones() {
    let scratch = Scratch::new("order");
    let args = scratch.args(
        "note,capacity,tutor_id\nx,2,T9\n",
        "cost,year,tutor_id,student_id\n4,2025,T9,s1\n-1,2025,T9,s2\n",
        None,
    );
    assert_eq!(run(&args).unwrap().total_cost, 3);
}

#[test]
fn an_infeasible_instance_says_how_many_cannot_be_placed() {
    let scratch = Scratch::new("infeasible");
    let args = scratch.args(
        "tutor_id,capacity\nT1,1\nT2,0\n",
        "student_id,tutor_id,cost\na,T1,1\nb,T1,1\nc,T1,1\nc,T2,1\n",
        None,
    );
    let err = run(&args).unwrap_err();
    assert!(matches!(
        err,
        AllocateError::Allocation(AllocationError::Infeasible {
            unplaceable: 2,
            students: 3
        })
    ));
    assert!(err.to_string().contains("2 of 3 students cannot be placed"));
}

#[test]
fn an_unknown_tutor_is_named_with_its_line_and_column() {
    let err = input_error(
        "tutor_id,capacity\nT1,1\n",
        "student_id,tutor_id,cost\na,T1,1\nb,T7,1\n",
    );
    assert_eq!(
        (err.file.as_str(), err.line, err.column.as_str()),
        ("edges.csv", 3, "tutor_id")
    );
    assert!(err.message.contains("T7"), "{err}");
}

#[test]
fn a_negative_capacity_is_named_with_its_line_and_column() {
    let err = input_error(
        "tutor_id,capacity\nT1,1\nT2,-3\n",
        "student_id,tutor_id,cost\n",
    );
    assert_eq!(
        (err.file.as_str(), err.line, err.column.as_str()),
        ("tutors.csv", 3, "capacity")
    );
    assert!(err.to_string().contains("line 3, column capacity"), "{err}");
}

#[test]
fn a_non_integer_cost_is_named_with_its_line_and_column() {
    for bad in ["1.5", "abc", "1e3", "-"] {
        let err = input_error(
            "tutor_id,capacity\nT1,1\n",
            &format!("student_id,tutor_id,cost\na,T1,1\na,T1,2\nb,T1,{bad}\n"),
        );
        assert_eq!((err.line, err.column.as_str()), (4, "cost"), "{bad}");
    }
}

#[test]
fn a_missing_column_is_named() {
    let err = input_error("tutor_id,places\nT1,1\n", "");
    assert_eq!((err.line, err.column.as_str()), (1, "capacity"));
    let err = input_error("tutor_id,capacity\nT1,1\n", "student_id,tutor_id\na,T1\n");
    assert_eq!((err.line, err.column.as_str()), (1, "cost"));
}

#[test]
fn a_short_row_names_the_missing_field() {
    let err = input_error(
        "tutor_id,capacity\nT1,1\n",
        "student_id,tutor_id,cost\na,T1\n",
    );
    assert_eq!((err.line, err.column.as_str()), (2, "cost"));
}

#[test]
fn a_duplicate_tutor_is_named_with_its_line() {
    let err = input_error("tutor_id,capacity\nT1,1\nT2,1\nT1,4\n", "");
    assert_eq!((err.line, err.column.as_str()), (4, "tutor_id"));
    assert!(err.message.contains("duplicate"), "{err}");
}

/// Found by the `allocate` fuzzer: a quoted id holding a line break was read, and written back
/// as a row spanning several lines, which the student record system would read as other rows.
/// An id is one line: a line break or other control character in one is named where it stands.
#[test]
fn an_id_with_a_line_break_or_control_character_is_named_with_its_line_and_column() {
    let err = input_error(
        "tutor_id,capacity\nT1,1\n",
        "student_id,tutor_id,cost\ncob,T1,1\n\"ob,T1,2\nann\",T1,0\n",
    );
    assert_eq!(
        (err.file.as_str(), err.line, err.column.as_str()),
        ("edges.csv", 3, "student_id")
    );
    assert!(err.message.contains("line break"), "{err}");
    let err = input_error("tutor_id,capacity\nT1,1\n\"T\r2\",1\n", "");
    assert_eq!(
        (err.file.as_str(), err.line, err.column.as_str()),
        ("tutors.csv", 3, "tutor_id")
    );
    let err = input_error(
        "tutor_id,capacity\nT1,1\n",
        "student_id,tutor_id,cost\na\u{7}b,T1,1\n",
    );
    assert_eq!((err.line, err.column.as_str()), (2, "student_id"));
}

#[test]
fn ids_are_strings_and_survive_quoting() {
    let scratch = Scratch::new("quoting");
    let args = scratch.args(
        "tutor_id,capacity\n\"Smith, J\",1\n007,1\n",
        "student_id,tutor_id,cost\n0042,\"Smith, J\",3\n0042,007,9\n",
        None,
    );
    assert_eq!(run(&args).unwrap().total_cost, 3);
    assert_eq!(
        scratch.output(),
        "student_id,tutor_id,cost\n0042,\"Smith, J\",3\n"
    );
}

#[test]
fn ids_a_spreadsheet_would_run_are_written_as_text_and_negative_costs_stay_numbers() {
    let scratch = Scratch::new("formulas");
    let args = scratch.args(
        "tutor_id,capacity\n@T1,1\n",
        "student_id,tutor_id,cost\n=cmd|' /C calc'!A0,@T1,-3\n",
        None,
    );
    run(&args).unwrap();
    assert_eq!(
        scratch.output(),
        "student_id,tutor_id,cost\n'=cmd|' /C calc'!A0,'@T1,-3\n"
    );
}

/// The same checks as the `allocate` fuzz target (fuzz/), so that `cargo test` covers them
/// without cargo-fuzz: any tutors and edges files are read or refused naming a line that
/// exists, and what is read solves within capacities on the given edges.
mod arbitrary_input {
    use flipside_batch::allocate::{read_edges, read_tutors};
    use flipside_core::allocation::{Problem, allocate};
    use proptest::prelude::*;

    fn lines(data: &[u8]) -> u64 {
        data.iter().filter(|&&b| b == b'\n').count() as u64 + 1
    }

    fn check(tutors_csv: &[u8], edges_csv: &[u8], unplaced_cost: Option<i64>) {
        let tutors = match read_tutors(tutors_csv, "tutors.csv") {
            Ok(t) => t,
            Err(e) => {
                assert!((1..=lines(tutors_csv)).contains(&e.line), "{e:?}");
                return;
            }
        };
        let edges = match read_edges(edges_csv, "edges.csv", &tutors) {
            Ok(e) => e,
            Err(e) => {
                assert!((1..=lines(edges_csv)).contains(&e.line), "{e:?}");
                return;
            }
        };
        let problem = Problem::new(
            tutors.capacities.clone(),
            edges.student_ids.len(),
            &edges.edges,
        )
        .unwrap();
        let Ok(solution) = allocate(&problem, unplaced_cost) else {
            assert!(unplaced_cost.is_none());
            return;
        };
        let mut load = vec![0u32; tutors.ids.len()];
        for (student, placement) in solution.placements.iter().enumerate() {
            if let Some(p) = placement {
                load[p.tutor as usize] += 1;
                assert!(problem.edges_of(student).any(|e| e == (p.tutor, p.cost)));
            }
        }
        assert!(load.iter().zip(&tutors.capacities).all(|(l, c)| l <= c));
    }

    fn csv(header: &'static [&'static str], field: BoxedStrategy<String>) -> BoxedStrategy<String> {
        let header = proptest::sample::subsequence(header.to_vec(), 0..=header.len())
            .prop_shuffle()
            .prop_map(|c| c.join(","));
        let row = proptest::collection::vec(field, 0..5).prop_map(|f| f.join(","));
        (header, proptest::collection::vec(row, 0..12))
            .prop_map(|(h, rows)| format!("{h}\n{}", rows.join("\n")))
            .boxed()
    }

    fn field() -> BoxedStrategy<String> {
        prop_oneof![
            3 => "T[12]",
            3 => "s[abc]",
            3 => "-?[0-9]{1,2}",
            1 => "[0-9]{17,20}",
            1 => "[\",\r\u{0} +-]{0,2}",
        ]
        .boxed()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_bytes_are_read_or_refused_naming_a_line_that_exists(
            tutors in proptest::collection::vec(any::<u8>(), 0..200),
            edges in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            check(&tutors, &edges, None);
            check(b"tutor_id,capacity\nT1,1\n", &edges, Some(3));
        }

        #[test]
        fn csv_shaped_files_are_read_and_solved_within_capacities_or_refused(
            tutors in csv(&["tutor_id", "capacity", "school"], field()),
            edges in csv(&["student_id", "tutor_id", "cost"], field()),
            unplaced_cost in proptest::option::of(-5i64..50),
        ) {
            check(tutors.as_bytes(), edges.as_bytes(), unplaced_cost);
        }
    }
}

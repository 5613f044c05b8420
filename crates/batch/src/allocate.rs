//! `flipside allocate` (SPEC §3.14): reads tutors and allowed student–tutor edges from CSV,
//! solves the allocation exactly with [`flipside_core::allocation`], and writes one row per
//! student.
//!
//! Input: tutors `tutor_id,capacity` and edges `student_id,tutor_id,cost` (header names, in
//! any order; extra columns ignored; ids are strings; costs integers). Output: one row
//! `student_id,tutor_id,cost` per student, in order of first appearance in the edges; an
//! unplaced student has an empty `tutor_id` and the unplaced cost as `cost`, so the `cost`
//! column always adds up to the total. Stdout ends with `unplaced=K` (only with
//! `--unplaced-cost`) and `total_cost=N`, the last line.
//!
//! Parsing is built for millions of edges: one reused `ByteRecord`, ids interned as bytes in
//! hash maps with a fast non-cryptographic hasher (the ids come from the institution's own
//! files, so hash flooding is not a concern).

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use flipside_core::allocation::{self, Allocation, AllocationError, Edge, Problem};
use flipside_core::spreadsheet::safe_cell_bytes;

/// Arguments of `flipside allocate`.
#[derive(Debug, Clone, clap::Args)]
pub struct AllocateArgs {
    /// Tutors CSV with columns `tutor_id,capacity` (extra columns ignored).
    #[arg(long, value_name = "TUTORS.csv")]
    pub tutors: PathBuf,
    /// Allowed pairings CSV with columns `student_id,tutor_id,cost` (integer costs).
    #[arg(long, value_name = "EDGES.csv")]
    pub edges: PathBuf,
    /// Where to write the allocation: `student_id,tutor_id,cost`, one row per student.
    #[arg(long, value_name = "ALLOCATION.csv")]
    pub out: PathBuf,
    /// Let a student stay unplaced at this cost (then an allocation always exists). Unplaced
    /// students get an empty tutor_id and this cost in the output.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub unplaced_cost: Option<i64>,
    /// Print the time taken by reading, solving and writing to stderr.
    #[arg(long)]
    pub timings: bool,
}

/// A problem with the input files, located by file, line and column.
#[derive(Debug, thiserror::Error)]
#[error("{file}: line {line}, column {column}: {message}")]
pub struct InputError {
    /// Which file.
    pub file: String,
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// The column's name, or its 1-based number when the header lacks it.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// Why the command failed.
#[derive(Debug, thiserror::Error)]
pub enum AllocateError {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// Malformed input.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The instance has no allocation (or is out of the solver's range).
    #[error(transparent)]
    Allocation(#[from] AllocationError),
}

/// FxHash: a multiply-rotate hasher, several times faster than SipHash on short ids.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type IdMap = HashMap<Box<[u8]>, u32, BuildHasherDefault<IdHasher>>;

/// Tutors as read: ids in file order and capacities.
#[derive(Debug, Default)]
pub struct Tutors {
    /// Tutor ids, in file order; index = tutor index.
    pub ids: Vec<Box<[u8]>>,
    /// Capacities, by tutor index.
    pub capacities: Vec<u32>,
    index: IdMap,
}

/// Edges as read: student ids in order of first appearance, and the edges by index.
#[derive(Debug, Default)]
pub struct Edges {
    /// Student ids; index = student index.
    pub student_ids: Vec<Box<[u8]>>,
    /// The edges.
    pub edges: Vec<Edge>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// Number of students unplaced.
    pub unplaced: usize,
    /// Total cost, unplaced students included.
    pub total_cost: i64,
}

fn header_column(headers: &csv::ByteRecord, name: &str, file: &str) -> Result<usize, InputError> {
    headers
        .iter()
        .position(|h| h == name.as_bytes())
        .ok_or_else(|| InputError {
            file: file.to_owned(),
            line: 1,
            column: name.to_owned(),
            message: format!("missing column `{name}` in the header"),
        })
}

fn csv_reader<R: Read>(reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(reader)
}

fn csv_error(file: &str, err: csv::Error) -> InputError {
    let line = err.position().map_or(0, |p| p.line());
    InputError {
        file: file.to_owned(),
        line,
        column: "-".to_owned(),
        message: err.to_string(),
    }
}

/// Reads a field, or fails naming the line and column when the row is too short or the
/// field is empty.
fn field<'r>(
    record: &'r csv::ByteRecord,
    column: usize,
    name: &str,
    file: &str,
) -> Result<&'r [u8], InputError> {
    // Trimmed here rather than by the reader, which would rebuild every record.
    match record.get(column).map(<[u8]>::trim_ascii) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(InputError {
            file: file.to_owned(),
            line: record.position().map_or(0, |p| p.line()),
            column: name.to_owned(),
            message: format!("`{name}` is missing"),
        }),
    }
}

/// An id: a [`field`] that is one line. A line break inside a quoted id would be written back
/// as a row spanning several lines, which the system reading the allocation takes for other
/// rows; other control characters are as unlikely to be meant.
fn id_field<'r>(
    record: &'r csv::ByteRecord,
    column: usize,
    name: &str,
    file: &str,
) -> Result<&'r [u8], InputError> {
    let value = field(record, column, name, file)?;
    if let Some(&c) = value.iter().find(|b| b.is_ascii_control()) {
        let what = match c {
            b'\n' | b'\r' => "a line break".to_owned(),
            b'\t' => "a tab".to_owned(),
            c => format!("the control character {c:#04x}"),
        };
        return Err(bad_value(
            record,
            file,
            name,
            format!("`{name}` holds {what}: an id is one line of printable characters"),
        ));
    }
    Ok(value)
}

fn bad_value(record: &csv::ByteRecord, file: &str, name: &str, message: String) -> InputError {
    InputError {
        file: file.to_owned(),
        line: record.position().map_or(0, |p| p.line()),
        column: name.to_owned(),
        message,
    }
}

/// Parses a decimal integer (optional sign) without going through `str`.
fn parse_i64(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(if negative { -value } else { value })
}

/// Reads the tutors CSV. `file` names it in messages.
pub fn read_tutors<R: Read>(reader: R, file: &str) -> Result<Tutors, InputError> {
    let mut csv = csv_reader(reader);
    let headers = csv.byte_headers().map_err(|e| csv_error(file, e))?.clone();
    let id_col = header_column(&headers, "tutor_id", file)?;
    let cap_col = header_column(&headers, "capacity", file)?;
    let mut tutors = Tutors::default();
    let mut record = csv::ByteRecord::new();
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, e))?
    {
        let id = id_field(&record, id_col, "tutor_id", file)?;
        let capacity = field(&record, cap_col, "capacity", file)?;
        let capacity = match parse_i64(capacity) {
            Some(c) if c < 0 => {
                return Err(bad_value(
                    &record,
                    file,
                    "capacity",
                    format!("negative capacity {c}"),
                ));
            }
            Some(c) => u32::try_from(c).map_err(|_| {
                bad_value(
                    &record,
                    file,
                    "capacity",
                    format!("capacity {c} is too large"),
                )
            })?,
            None => {
                return Err(bad_value(
                    &record,
                    file,
                    "capacity",
                    format!(
                        "capacity is not a whole number: {:?}",
                        String::from_utf8_lossy(capacity)
                    ),
                ));
            }
        };
        let index = tutors.ids.len() as u32;
        if tutors.index.insert(id.into(), index).is_some() {
            return Err(bad_value(
                &record,
                file,
                "tutor_id",
                format!("duplicate tutor {:?}", String::from_utf8_lossy(id)),
            ));
        }
        tutors.ids.push(id.into());
        tutors.capacities.push(capacity);
    }
    Ok(tutors)
}

/// Reads the edges CSV against the tutors already read. `file` names it in messages.
pub fn read_edges<R: Read>(reader: R, file: &str, tutors: &Tutors) -> Result<Edges, InputError> {
    let mut csv = csv_reader(reader);
    let headers = csv.byte_headers().map_err(|e| csv_error(file, e))?.clone();
    let student_col = header_column(&headers, "student_id", file)?;
    let tutor_col = header_column(&headers, "tutor_id", file)?;
    let cost_col = header_column(&headers, "cost", file)?;
    let mut out = Edges::default();
    let mut students = IdMap::default();
    let mut record = csv::ByteRecord::new();
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, e))?
    {
        let student_id = id_field(&record, student_col, "student_id", file)?;
        let tutor_id = field(&record, tutor_col, "tutor_id", file)?;
        let cost = field(&record, cost_col, "cost", file)?;
        let Some(&tutor) = tutors.index.get(tutor_id) else {
            return Err(bad_value(
                &record,
                file,
                "tutor_id",
                format!(
                    "unknown tutor {:?} (not in the tutors file)",
                    String::from_utf8_lossy(tutor_id)
                ),
            ));
        };
        let cost = match parse_i64(cost) {
            Some(c) if c.abs() <= allocation::MAX_ABS_COST => c,
            Some(c) => {
                return Err(bad_value(
                    &record,
                    file,
                    "cost",
                    format!("cost {c} is outside ±{}", allocation::MAX_ABS_COST),
                ));
            }
            None => {
                return Err(bad_value(
                    &record,
                    file,
                    "cost",
                    format!(
                        "cost is not an integer: {:?}",
                        String::from_utf8_lossy(cost)
                    ),
                ));
            }
        };
        // Edges usually come grouped by student: skip the lookup for a repeated id.
        let same_as_last = out
            .student_ids
            .last()
            .is_some_and(|last| **last == *student_id);
        let student = if same_as_last {
            out.student_ids.len() as u32 - 1
        } else if let Some(&s) = students.get(student_id) {
            s
        } else {
            let s = out.student_ids.len() as u32;
            students.insert(student_id.into(), s);
            out.student_ids.push(student_id.into());
            s
        };
        out.edges.push(Edge {
            student,
            tutor,
            cost,
        });
    }
    Ok(out)
}

/// Writes the allocation as `student_id,tutor_id,cost`, one row per student.
pub fn write_allocation<W: Write>(
    writer: W,
    tutors: &Tutors,
    edges: &Edges,
    allocation: &Allocation,
    unplaced_cost: Option<i64>,
) -> io::Result<()> {
    let mut csv = csv::WriterBuilder::new().from_writer(writer);
    csv.write_record(["student_id", "tutor_id", "cost"])?;
    let mut number = Vec::with_capacity(24);
    for (id, placement) in edges.student_ids.iter().zip(&allocation.placements) {
        let (tutor, cost): (&[u8], i64) = match placement {
            Some(p) => (&tutors.ids[p.tutor as usize], p.cost),
            None => (b"", unplaced_cost.unwrap_or(0)),
        };
        number.clear();
        write!(number, "{cost}")?;
        // Ids come from the caller's files: one starting `=` must not run in a spreadsheet.
        csv.write_record([
            &safe_cell_bytes(&id[..])[..],
            &safe_cell_bytes(tutor)[..],
            &number[..],
        ])?;
    }
    csv.flush()?;
    Ok(())
}

fn open(path: &Path) -> Result<File, AllocateError> {
    File::open(path).map_err(|source| AllocateError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Runs the whole command: read, solve, write the allocation. Returns the figures that go to
/// stdout.
pub fn run(args: &AllocateArgs) -> Result<Outcome, AllocateError> {
    let start = Instant::now();
    let tutors_name = args.tutors.display().to_string();
    let tutors = read_tutors(open(&args.tutors)?, &tutors_name)?;
    let edges_name = args.edges.display().to_string();
    let edges = read_edges(open(&args.edges)?, &edges_name, &tutors)?;
    let read = start.elapsed();

    let problem = Problem::new(
        tutors.capacities.clone(),
        edges.student_ids.len(),
        &edges.edges,
    )?;
    let allocation = allocation::allocate(&problem, args.unplaced_cost)?;
    let solved = start.elapsed();

    let out_name = args.out.display().to_string();
    let io_error = |source| AllocateError::Io {
        path: out_name.clone(),
        source,
    };
    let file = File::create(&args.out).map_err(io_error)?;
    write_allocation(
        BufWriter::with_capacity(1 << 20, file),
        &tutors,
        &edges,
        &allocation,
        args.unplaced_cost,
    )
    .map_err(io_error)?;
    if args.timings {
        eprintln!(
            "read {:.3}s, solve {:.3}s, write {:.3}s ({} students, {} tutors, {} edges)",
            read.as_secs_f64(),
            (solved - read).as_secs_f64(),
            (start.elapsed() - solved).as_secs_f64(),
            problem.students(),
            problem.tutors(),
            problem.edges()
        );
    }
    Ok(Outcome {
        unplaced: allocation.unplaced,
        total_cost: allocation.total_cost,
    })
}

/// Runs the command and returns its exit code.
pub fn main(args: AllocateArgs) -> ExitCode {
    match run(&args) {
        Ok(outcome) => {
            if args.unplaced_cost.is_some() {
                println!("unplaced={}", outcome.unplaced);
            }
            println!("total_cost={}", outcome.total_cost);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

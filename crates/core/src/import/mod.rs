//! Reading an institution for academic personal tutoring from the CSV exports of a student
//! record system (SPEC §3.10): Schools, tutors, students and last year's tutor assignments.
//!
//! Every file is read and checked completely before anything is written: [`read_institution`]
//! returns either the whole institution or every problem found, each naming its file, line and
//! column. Extra columns are ignored. References (a tutor's School, an assignment's student)
//! may point at rows of the files being imported or at what is already stored ([`Known`]).
pub mod generate;

use crate::cycle::AcademicYear;
use crate::email::Email;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::io::Read;

/// One problem with the input, located by file, line (the header is line 1) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub file: String,
    pub line: u64,
    /// The column's header name; empty when the problem is with the whole line.
    pub column: String,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "{} line {}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{} line {}, column {}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolRecord {
    pub code: String,
    pub name: String,
    /// The faculty's name; faculties are created as needed.
    pub faculty: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TutorRecord {
    /// The student record system's id for the tutor.
    pub tutor_id: String,
    pub name: String,
    pub email: String,
    pub school_code: String,
    /// How many tutees the tutor can take.
    pub capacity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRecord {
    pub student_id: String,
    pub name: String,
    pub email: String,
    pub school_code: String,
    pub programme: String,
    pub year_of_study: i64,
    pub entry_age: Option<i64>,
    /// Self-identification labels, sorted; always empty unless the student consented to
    /// their being held.
    pub identity_labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRecord {
    pub student_id: String,
    pub tutor_id: String,
    pub academic_year: AcademicYear,
}

/// Everything read from one import's files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Institution {
    pub schools: Vec<SchoolRecord>,
    pub tutors: Vec<TutorRecord>,
    pub students: Vec<StudentRecord>,
    pub assignments: Vec<AssignmentRecord>,
}

/// What is already stored, so that a file may refer to it without re-importing it.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub school_codes: HashSet<String>,
    pub tutor_ids: HashSet<String>,
    pub student_ids: HashSet<String>,
}

/// One named input file.
pub struct Source<R> {
    /// The name errors use, usually the file name.
    pub name: String,
    pub reader: R,
}

impl<R> Source<R> {
    pub fn new(name: impl Into<String>, reader: R) -> Source<R> {
        Source {
            name: name.into(),
            reader,
        }
    }
}

/// The files of one import; any subset may be given.
pub struct Files<R> {
    pub schools: Option<Source<R>>,
    pub tutors: Option<Source<R>>,
    pub students: Option<Source<R>>,
    pub assignments: Option<Source<R>>,
}

pub const CAPACITY_RANGE: (i64, i64) = (0, 500);
pub const YEAR_OF_STUDY_RANGE: (i64, i64) = (1, 8);
pub const ENTRY_AGE_RANGE: (i64, i64) = (14, 99);
/// The longest name, email or programme accepted.
const MAX_TEXT: usize = 200;

/// Reads and checks every given file. Returns the whole institution, or every problem found in
/// any file (never a partial result).
pub fn read_institution<R: Read>(
    files: Files<R>,
    known: &Known,
) -> Result<Institution, Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut out = Institution::default();

    let mut school_codes = known.school_codes.clone();
    if let Some(src) = files.schools {
        out.schools = read_schools(src, &mut errors);
        school_codes.extend(out.schools.iter().map(|s| s.code.clone()));
    }
    let mut tutor_ids = known.tutor_ids.clone();
    if let Some(src) = files.tutors {
        let (rows, ids) = read_tutors(src, &school_codes, &mut errors);
        out.tutors = rows;
        tutor_ids.extend(ids);
    }
    let mut student_ids = known.student_ids.clone();
    if let Some(src) = files.students {
        let (rows, ids) = read_students(src, &school_codes, &mut errors);
        out.students = rows;
        student_ids.extend(ids);
    }
    if let Some(src) = files.assignments {
        out.assignments = read_assignments(src, &student_ids, &tutor_ids, &mut errors);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One file being read: its name, the positions of its columns, and where problems go.
struct Sheet<'e> {
    file: String,
    columns: HashMap<&'static str, usize>,
    errors: &'e mut Vec<ImportError>,
}

impl Sheet<'_> {
    fn error(&mut self, line: u64, column: &str, message: impl Into<String>) {
        self.errors.push(ImportError {
            file: self.file.clone(),
            line,
            column: column.to_owned(),
            message: message.into(),
        });
    }

    /// A field's trimmed text; empty when the column is absent or the row is short.
    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns
            .get(column)
            .and_then(|&i| record.get(i))
            .unwrap_or("")
            .trim()
    }

    /// Records an error when a field holds a line break, tab or other control character (a
    /// quoted CSV field may): every export writes these fields back out, and a line break
    /// there would turn one row into two. True when the field is one line of printable text.
    fn printable(&mut self, line: u64, column: &str, value: &str) -> bool {
        let Some(c) = value.chars().find(|c| c.is_control()) else {
            return true;
        };
        let what = match c {
            '\n' | '\r' => "a line break".to_owned(),
            '\t' => "a tab".to_owned(),
            c => format!("the control character {:#04x}", u32::from(c)),
        };
        self.error(
            line,
            column,
            format!("holds {what}: each field is one line of printable characters"),
        );
        false
    }

    /// A field that must not be empty, not be too long and be one line of printable text.
    fn text(&mut self, record: &csv::StringRecord, line: u64, column: &str) -> String {
        let value = self.get(record, column);
        if value.is_empty() {
            self.error(line, column, "is empty");
        } else if value.chars().count() > MAX_TEXT {
            self.error(
                line,
                column,
                format!("is longer than {MAX_TEXT} characters"),
            );
        } else {
            self.printable(line, column, value);
        }
        value.to_owned()
    }

    fn whole_number(
        &mut self,
        record: &csv::StringRecord,
        line: u64,
        column: &str,
        (low, high): (i64, i64),
    ) -> Option<i64> {
        let value = self.get(record, column);
        match value.parse::<i64>() {
            Ok(n) if (low..=high).contains(&n) => Some(n),
            _ => {
                self.error(
                    line,
                    column,
                    format!("must be a whole number from {low} to {high}, not '{value}'"),
                );
                None
            }
        }
    }

    fn email(&mut self, record: &csv::StringRecord, line: u64, column: &str) -> String {
        let value = self.get(record, column);
        match Email::parse(value) {
            Ok(email) => email.into_string(),
            Err(_) => {
                self.error(line, column, format!("'{value}' is not an email address"));
                value.to_owned()
            }
        }
    }
}

/// Opens a CSV file, checks its header has every required column, and returns its records with
/// their line numbers. `None` (with the errors recorded) when the header is unusable.
fn open<'e, R: Read>(
    src: Source<R>,
    required: &[&'static str],
    optional: &[&'static str],
    errors: &'e mut Vec<ImportError>,
) -> Option<(Sheet<'e>, Vec<(u64, csv::StringRecord)>)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(src.reader);
    let mut sheet = Sheet {
        file: src.name,
        columns: HashMap::new(),
        errors,
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            sheet.error(1, "", format!("cannot read the header: {e}"));
            return None;
        }
    };
    for name in required.iter().chain(optional) {
        if let Some(i) = headers.iter().position(|h| h.trim() == *name) {
            sheet.columns.insert(name, i);
        }
    }
    let missing: Vec<_> = required
        .iter()
        .filter(|n| !sheet.columns.contains_key(*n))
        .collect();
    for name in &missing {
        sheet.error(1, name, "missing column in the header");
    }
    if !missing.is_empty() {
        return None;
    }
    let mut records = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                records.push((line, record));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let stop = matches!(e.kind(), csv::ErrorKind::Io(_));
                sheet.error(line, "", format!("cannot be read: {e}"));
                if stop {
                    break;
                }
            }
        }
    }
    Some((sheet, records))
}

/// Records the first line of each id, reporting a repeated id with both lines.
fn first_time(
    sheet: &mut Sheet<'_>,
    seen: &mut HashMap<String, u64>,
    id: &str,
    line: u64,
    column: &str,
) -> bool {
    if id.is_empty() {
        return true;
    }
    if let Some(first) = seen.get(id) {
        let first = *first;
        sheet.error(
            line,
            column,
            format!("duplicate {column} '{id}' (first on line {first})"),
        );
        false
    } else {
        seen.insert(id.to_owned(), line);
        true
    }
}

fn read_schools<R: Read>(src: Source<R>, errors: &mut Vec<ImportError>) -> Vec<SchoolRecord> {
    let Some((mut sheet, records)) =
        open(src, &["school_code", "school_name", "faculty"], &[], errors)
    else {
        return Vec::new();
    };
    let mut codes = HashMap::new();
    let mut names = HashMap::new();
    let mut out = Vec::new();
    for (line, r) in &records {
        let code = sheet.text(r, *line, "school_code");
        let name = sheet.text(r, *line, "school_name");
        let faculty = sheet.text(r, *line, "faculty");
        let new_code = first_time(&mut sheet, &mut codes, &code, *line, "school_code");
        let new_name = first_time(&mut sheet, &mut names, &name, *line, "school_name");
        if new_code && new_name {
            out.push(SchoolRecord {
                code,
                name,
                faculty,
            });
        }
    }
    out
}

fn school_reference(sheet: &mut Sheet<'_>, schools: &HashSet<String>, code: &str, line: u64) {
    if !code.is_empty() && !schools.contains(code) {
        sheet.error(line, "school_code", format!("unknown School '{code}'"));
    }
}

fn read_tutors<R: Read>(
    src: Source<R>,
    schools: &HashSet<String>,
    errors: &mut Vec<ImportError>,
) -> (Vec<TutorRecord>, Vec<String>) {
    let columns = ["tutor_id", "name", "email", "school_code", "capacity"];
    let Some((mut sheet, records)) = open(src, &columns, &[], errors) else {
        return (Vec::new(), Vec::new());
    };
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (line, r) in &records {
        let line = *line;
        let tutor_id = sheet.text(r, line, "tutor_id");
        let name = sheet.text(r, line, "name");
        let email = sheet.email(r, line, "email");
        let school_code = sheet.text(r, line, "school_code");
        school_reference(&mut sheet, schools, &school_code, line);
        let capacity = sheet.whole_number(r, line, "capacity", CAPACITY_RANGE);
        if first_time(&mut sheet, &mut seen, &tutor_id, line, "tutor_id") {
            out.push(TutorRecord {
                tutor_id,
                name,
                email,
                school_code,
                capacity: capacity.unwrap_or(0),
            });
        }
    }
    let ids = seen.into_keys().collect();
    (out, ids)
}

fn read_students<R: Read>(
    src: Source<R>,
    schools: &HashSet<String>,
    errors: &mut Vec<ImportError>,
) -> (Vec<StudentRecord>, Vec<String>) {
    let required = [
        "student_id",
        "name",
        "email",
        "school_code",
        "programme",
        "year_of_study",
    ];
    let optional = ["entry_age", "identity_labels", "identity_consent"];
    let Some((mut sheet, records)) = open(src, &required, &optional, errors) else {
        return (Vec::new(), Vec::new());
    };
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (line, r) in &records {
        let line = *line;
        let student_id = sheet.text(r, line, "student_id");
        let name = sheet.text(r, line, "name");
        let email = sheet.email(r, line, "email");
        let school_code = sheet.text(r, line, "school_code");
        school_reference(&mut sheet, schools, &school_code, line);
        let programme = sheet.text(r, line, "programme");
        let year_of_study = sheet.whole_number(r, line, "year_of_study", YEAR_OF_STUDY_RANGE);
        let entry_age = if sheet.get(r, "entry_age").is_empty() {
            None
        } else {
            sheet.whole_number(r, line, "entry_age", ENTRY_AGE_RANGE)
        };
        let consent = sheet.get(r, "identity_consent").to_ascii_lowercase();
        let consented = match consent.as_str() {
            "yes" => true,
            "no" | "" => false,
            other => {
                sheet.error(
                    line,
                    "identity_consent",
                    format!("must be 'yes' or 'no', not '{other}'"),
                );
                false
            }
        };
        let label_text = sheet.get(r, "identity_labels");
        let label_text = if sheet.printable(line, "identity_labels", label_text) {
            label_text
        } else {
            ""
        };
        let labels: BTreeSet<String> = label_text
            .split(';')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if !labels.is_empty() && !consented {
            sheet.error(
                line,
                "identity_labels",
                "identity labels are given but identity_consent is not 'yes': labels are held only with the student's consent",
            );
        }
        if let Some(long) = labels.iter().find(|l| l.chars().count() > MAX_TEXT) {
            let short: String = long.chars().take(20).collect();
            sheet.error(
                line,
                "identity_labels",
                format!("the label starting '{short}' is longer than {MAX_TEXT} characters"),
            );
        }
        if first_time(&mut sheet, &mut seen, &student_id, line, "student_id") {
            out.push(StudentRecord {
                student_id,
                name,
                email,
                school_code,
                programme,
                year_of_study: year_of_study.unwrap_or(0),
                entry_age,
                identity_labels: if consented {
                    labels.into_iter().collect()
                } else {
                    Vec::new()
                },
            });
        }
    }
    let ids = seen.into_keys().collect();
    (out, ids)
}

fn read_assignments<R: Read>(
    src: Source<R>,
    students: &HashSet<String>,
    tutors: &HashSet<String>,
    errors: &mut Vec<ImportError>,
) -> Vec<AssignmentRecord> {
    let columns = ["student_id", "tutor_id", "academic_year"];
    let Some((mut sheet, records)) = open(src, &columns, &[], errors) else {
        return Vec::new();
    };
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (line, r) in &records {
        let line = *line;
        let student_id = sheet.text(r, line, "student_id");
        if !student_id.is_empty() && !students.contains(&student_id) {
            sheet.error(
                line,
                "student_id",
                format!("unknown student '{student_id}'"),
            );
        }
        let tutor_id = sheet.text(r, line, "tutor_id");
        if !tutor_id.is_empty() && !tutors.contains(&tutor_id) {
            sheet.error(line, "tutor_id", format!("unknown tutor '{tutor_id}'"));
        }
        let year = sheet.get(r, "academic_year");
        let academic_year = match AcademicYear::parse(year) {
            Ok(y) => Some(y),
            Err(e) => {
                sheet.error(line, "academic_year", e.to_string());
                None
            }
        };
        if let Some(academic_year) = academic_year {
            // A student has one tutor of record per academic year.
            let key = (student_id.clone(), academic_year);
            if let Some(first) = seen.get(&key) {
                sheet.error(
                    line,
                    "student_id",
                    format!("duplicate assignment of student '{student_id}' for {year} (first on line {first})", year = year.trim()),
                );
            } else {
                seen.insert(key, line);
                out.push(AssignmentRecord {
                    student_id,
                    tutor_id,
                    academic_year,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;

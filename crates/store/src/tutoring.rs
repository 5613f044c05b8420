//! Academic personal tutoring: the institution imported from the student record system
//! (Schools, tutors, students, last year's tutor assignments) and the counts its pages show.
use crate::error::StoreError;
use crate::pool::on_pool;
use crate::tutoring_people::{RecordKind, UnlinkedRecord};
use crate::tx::{Tx, on_tx};
use crate::{Result, Store};
use flipside_core::import::{Institution, Known};
use serde::Serialize;
use std::collections::HashMap;

/// How the rows of one kind in an import compared with what was stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl ImportCounts {
    pub fn total(&self) -> u64 {
        self.added + self.updated + self.unchanged
    }
}

/// What an import changed (or, in a dry run, would change).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub faculties_added: u64,
    pub schools: ImportCounts,
    pub tutors: ImportCounts,
    pub students: ImportCounts,
    pub assignments: ImportCounts,
}

impl ImportSummary {
    /// Whether anything was (or would be) written.
    pub fn changed_anything(&self) -> bool {
        self.faculties_added > 0
            || [self.schools, self.tutors, self.students, self.assignments]
                .iter()
                .any(|c| c.added + c.updated > 0)
    }
}

/// One School's tutoring population.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SchoolTutoring {
    pub school_id: i64,
    pub code: String,
    pub name: String,
    pub tutors: i64,
    pub students: i64,
    /// The sum of its tutors' capacities.
    pub capacity: i64,
}

/// One tutor's load in an academic year.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TutorLoad {
    pub external_id: String,
    pub name: String,
    pub school_code: String,
    pub capacity: i64,
    pub assigned: i64,
}

/// Undoes the link of a record whose email an import changes, and notes whom to tell. The
/// statement runs once per backend through `on_tx!` (its connection is either kind).
macro_rules! unlink_record {
    ($conn:expr, $kind:expr, $id:expr, $unlinked:expr) => {{
        let table = match $kind {
            RecordKind::Tutor => "tutoring_tutors",
            RecordKind::Student => "tutoring_students",
        };
        let holder: Option<(i64, String, String)> = sqlx::query_as(&format!(
            "SELECT u.id, u.email, u.display_name FROM {table} r JOIN users u ON u.id = r.user_id WHERE r.id = $1"
        ))
        .bind($id)
        .fetch_optional(&mut *$conn)
        .await?;
        if let Some((user_id, user_email, user_name)) = holder {
            sqlx::query(&format!("UPDATE {table} SET user_id = NULL WHERE id = $1"))
                .bind($id)
                .execute(&mut *$conn)
                .await?;
            $unlinked.push(UnlinkedRecord {
                kind: $kind,
                record_id: $id,
                user_id,
                user_email,
                user_name,
            });
        }
    }};
}

/// Rows per multi-row INSERT: one statement per few hundred rows instead of one per row (a
/// round trip each on PostgreSQL), well under either backend's limit on bound parameters.
const INSERT_CHUNK: usize = 500;

type TutorRow = (i64, String, String, String, i64, i64);
type StudentRow = (i64, String, String, String, i64, String, i64, Option<i64>);

impl Store {
    /// The ids an import file may refer to without importing them again.
    pub async fn tutoring_known(&self) -> Result<Known> {
        let (schools, tutors, students) = on_pool!(self, pool => {
            let schools: Vec<(String,)> = sqlx::query_as("SELECT code FROM schools").fetch_all(pool).await?;
            let tutors: Vec<(String,)> = sqlx::query_as("SELECT external_id FROM tutoring_tutors").fetch_all(pool).await?;
            let students: Vec<(String,)> = sqlx::query_as("SELECT external_id FROM tutoring_students").fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((schools, tutors, students))
        })?;
        Ok(Known {
            school_codes: schools.into_iter().map(|r| r.0).collect(),
            tutor_ids: tutors.into_iter().map(|r| r.0).collect(),
            student_ids: students.into_iter().map(|r| r.0).collect(),
        })
    }

    /// Writes a whole import in one transaction, matching rows by the record system's ids:
    /// new ids are added, changed rows updated, identical rows left alone (so importing the
    /// same files twice changes nothing the second time). With `dry_run` the same work is done
    /// and rolled back, so the counts say exactly what a real import would change. An import
    /// that must also audit and tell people of undone links (flipside's own) runs
    /// [`Tx::import_institution`] in its operation's transaction instead.
    /// `progress` is called with the number of rows handled so far.
    pub async fn import_institution(
        &self,
        input: &Institution,
        dry_run: bool,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ImportSummary> {
        let mut tx = self.begin().await?;
        let (mut summary, _) = tx.import_institution(input, progress).await?;
        summary.dry_run = dry_run;
        if !dry_run {
            tx.commit().await?;
        }
        Ok(summary)
    }
}

impl Tx {
    /// The writes of an import (see [`Store::import_institution`]) in this transaction. A
    /// linked tutor or student record whose email the import changes is unlinked (its email
    /// now names someone else, or the same person at an address they have not confirmed):
    /// those are returned, so that the operation can audit them and tell each person.
    pub async fn import_institution(
        &mut self,
        input: &Institution,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(ImportSummary, Vec<UnlinkedRecord>)> {
        let mut summary = ImportSummary::default();
        let mut unlinked = Vec::new();
        let mut done = 0u64;
        let mut tick = || {
            done += 1;
            if done.is_multiple_of(256) {
                progress(done);
            }
        };
        on_tx!(self, tx => {

            // Faculties and Schools.
            let faculties: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM faculties").fetch_all(&mut *tx).await?;
            let mut faculty_ids: HashMap<String, i64> = faculties.into_iter().map(|(id, name)| (name, id)).collect();
            let schools: Vec<(i64, i64, String, String)> = sqlx::query_as("SELECT id, faculty_id, name, code FROM schools").fetch_all(&mut *tx).await?;
            let mut school_ids: HashMap<String, i64> = HashMap::new();
            let mut stored_schools: HashMap<String, (i64, i64, String)> = HashMap::new();
            for (id, faculty_id, name, code) in schools {
                school_ids.insert(code.clone(), id);
                stored_schools.insert(code, (id, faculty_id, name));
            }
            for s in &input.schools {
                let faculty_id = match faculty_ids.get(&s.faculty) {
                    Some(id) => *id,
                    None => {
                        let (id,): (i64,) = sqlx::query_as("INSERT INTO faculties (name) VALUES ($1) RETURNING id")
                            .bind(&s.faculty).fetch_one(&mut *tx).await?;
                        faculty_ids.insert(s.faculty.clone(), id);
                        summary.faculties_added += 1;
                        id
                    }
                };
                let conflict = |e| StoreError::unique(e, format!("another School is already called '{}'", s.name));
                match stored_schools.get(&s.code) {
                    None => {
                        let (id,): (i64,) = sqlx::query_as("INSERT INTO schools (faculty_id, name, code) VALUES ($1, $2, $3) RETURNING id")
                            .bind(faculty_id).bind(&s.name).bind(&s.code).fetch_one(&mut *tx).await.map_err(conflict)?;
                        school_ids.insert(s.code.clone(), id);
                        summary.schools.added += 1;
                    }
                    Some((id, stored_faculty, stored_name)) if *stored_faculty != faculty_id || *stored_name != s.name => {
                        sqlx::query("UPDATE schools SET faculty_id = $1, name = $2 WHERE id = $3")
                            .bind(faculty_id).bind(&s.name).bind(id).execute(&mut *tx).await.map_err(conflict)?;
                        summary.schools.updated += 1;
                    }
                    Some(_) => summary.schools.unchanged += 1,
                }
                tick();
            }
            let school_of = |code: &str| school_ids.get(code).copied().ok_or_else(|| StoreError::Conflict(format!("unknown School '{code}'")));

            // Tutors.
            let tutors: Vec<TutorRow> = sqlx::query_as("SELECT id, external_id, name, email, school_id, capacity FROM tutoring_tutors").fetch_all(&mut *tx).await?;
            let mut tutor_ids: HashMap<String, i64> = HashMap::new();
            let mut stored_tutors: HashMap<String, TutorRow> = HashMap::new();
            for t in tutors {
                tutor_ids.insert(t.1.clone(), t.0);
                stored_tutors.insert(t.1.clone(), t);
            }
            let mut new_tutors = Vec::new();
            for t in &input.tutors {
                let school_id = school_of(&t.school_code)?;
                match stored_tutors.get(&t.tutor_id) {
                    None => {
                        new_tutors.push((t, school_id));
                        summary.tutors.added += 1;
                    }
                    Some(s) if (&s.2, &s.3, s.4, s.5) != (&t.name, &t.email, school_id, t.capacity) => {
                        if !s.3.eq_ignore_ascii_case(&t.email) {
                            unlink_record!(tx, RecordKind::Tutor, s.0, unlinked);
                        }
                        sqlx::query("UPDATE tutoring_tutors SET name = $1, email = $2, school_id = $3, capacity = $4 WHERE id = $5")
                            .bind(&t.name).bind(&t.email).bind(school_id).bind(t.capacity).bind(s.0).execute(&mut *tx).await?;
                        summary.tutors.updated += 1;
                    }
                    Some(_) => summary.tutors.unchanged += 1,
                }
                tick();
            }

            for chunk in new_tutors.chunks(INSERT_CHUNK) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO tutoring_tutors (external_id, name, email, school_id, capacity) ");
                insert.push_values(chunk, |mut row, (t, school_id)| {
                    row.push_bind(&t.tutor_id).push_bind(&t.name).push_bind(&t.email).push_bind(*school_id).push_bind(t.capacity);
                });
                insert.push(" RETURNING id, external_id");
                let ids: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                tutor_ids.extend(ids.into_iter().map(|(id, external)| (external, id)));
            }

            // Students and their labels (held only with consent: the reader drops them otherwise).
            let students: Vec<StudentRow> = sqlx::query_as("SELECT id, external_id, name, email, school_id, programme, year_of_study, entry_age FROM tutoring_students").fetch_all(&mut *tx).await?;
            let labels: Vec<(i64, String)> = sqlx::query_as("SELECT student_id, label FROM tutoring_student_labels ORDER BY student_id, label").fetch_all(&mut *tx).await?;
            let mut stored_labels: HashMap<i64, Vec<String>> = HashMap::new();
            for (student, label) in labels {
                stored_labels.entry(student).or_default().push(label);
            }
            let mut student_ids: HashMap<String, i64> = HashMap::new();
            let mut stored_students: HashMap<String, StudentRow> = HashMap::new();
            for s in students {
                student_ids.insert(s.1.clone(), s.0);
                stored_students.insert(s.1.clone(), s);
            }
            let no_labels = Vec::new();
            let mut new_students = Vec::new();
            // (student id, label) rows to insert.
            let mut new_labels: Vec<(i64, &str)> = Vec::new();
            for s in &input.students {
                let school_id = school_of(&s.school_code)?;
                match stored_students.get(&s.student_id) {
                    None => {
                        new_students.push((s, school_id));
                        summary.students.added += 1;
                    }
                    Some(row) => {
                        let labels_changed = *stored_labels.get(&row.0).unwrap_or(&no_labels) != s.identity_labels;
                        let fields_changed = (&row.2, &row.3, row.4, &row.5, row.6, row.7)
                            != (&s.name, &s.email, school_id, &s.programme, s.year_of_study, s.entry_age);
                        if !row.3.eq_ignore_ascii_case(&s.email) {
                            unlink_record!(tx, RecordKind::Student, row.0, unlinked);
                        }
                        if fields_changed {
                            sqlx::query("UPDATE tutoring_students SET name = $1, email = $2, school_id = $3, programme = $4, year_of_study = $5, entry_age = $6 WHERE id = $7")
                                .bind(&s.name).bind(&s.email).bind(school_id).bind(&s.programme).bind(s.year_of_study).bind(s.entry_age).bind(row.0)
                                .execute(&mut *tx).await?;
                        }
                        if fields_changed || labels_changed {
                            summary.students.updated += 1;
                        } else {
                            summary.students.unchanged += 1;
                        }
                        if labels_changed {
                            sqlx::query("DELETE FROM tutoring_student_labels WHERE student_id = $1").bind(row.0).execute(&mut *tx).await?;
                            new_labels.extend(s.identity_labels.iter().map(|l| (row.0, l.as_str())));
                        }
                    }
                }
                tick();
            }
            for chunk in new_students.chunks(INSERT_CHUNK) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO tutoring_students (external_id, name, email, school_id, programme, year_of_study, entry_age) ");
                insert.push_values(chunk, |mut row, (s, school_id)| {
                    row.push_bind(&s.student_id).push_bind(&s.name).push_bind(&s.email).push_bind(*school_id)
                        .push_bind(&s.programme).push_bind(s.year_of_study).push_bind(s.entry_age);
                });
                insert.push(" RETURNING id, external_id");
                let ids: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                student_ids.extend(ids.into_iter().map(|(id, external)| (external, id)));
            }
            for (s, _) in &new_students {
                let id = student_ids[&s.student_id];
                new_labels.extend(s.identity_labels.iter().map(|l| (id, l.as_str())));
            }
            for chunk in new_labels.chunks(INSERT_CHUNK) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO tutoring_student_labels (student_id, label) ");
                insert.push_values(chunk, |mut row, (id, label)| {
                    row.push_bind(*id).push_bind(*label);
                });
                insert.build().execute(&mut *tx).await?;
            }

            // Tutor assignments: one per student and academic year.
            let assignments: Vec<(i64, i64, i64)> = sqlx::query_as("SELECT student_id, academic_year, tutor_id FROM tutoring_assignments").fetch_all(&mut *tx).await?;
            let stored: HashMap<(i64, i64), i64> = assignments.into_iter().map(|(s, y, t)| ((s, y), t)).collect();
            let mut new_assignments = Vec::new();
            for a in &input.assignments {
                let student = *student_ids.get(&a.student_id).ok_or_else(|| StoreError::Conflict(format!("unknown student '{}'", a.student_id)))?;
                let tutor = *tutor_ids.get(&a.tutor_id).ok_or_else(|| StoreError::Conflict(format!("unknown tutor '{}'", a.tutor_id)))?;
                let year = i64::from(a.academic_year.start_year());
                match stored.get(&(student, year)) {
                    None => {
                        new_assignments.push((student, tutor, year));
                        summary.assignments.added += 1;
                    }
                    Some(t) if *t != tutor => {
                        sqlx::query("UPDATE tutoring_assignments SET tutor_id = $1, source = 'import' WHERE student_id = $2 AND academic_year = $3")
                            .bind(tutor).bind(student).bind(year).execute(&mut *tx).await?;
                        summary.assignments.updated += 1;
                    }
                    Some(_) => summary.assignments.unchanged += 1,
                }
                tick();
            }

            for chunk in new_assignments.chunks(INSERT_CHUNK) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO tutoring_assignments (student_id, tutor_id, academic_year, source) ");
                insert.push_values(chunk, |mut row, (student, tutor, year)| {
                    row.push_bind(*student).push_bind(*tutor).push_bind(*year).push_bind("import");
                });
                insert.build().execute(&mut *tx).await?;
            }

            Ok::<_, StoreError>(())
        })?;
        progress(done);
        Ok((summary, unlinked))
    }
}

impl Store {
    /// Every School with its tutors, students and total tutor capacity.
    pub async fn tutoring_by_school(&self) -> Result<Vec<SchoolTutoring>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SchoolTutoring>(
            "SELECT s.id AS school_id, s.code, s.name,
                (SELECT COUNT(*) FROM tutoring_tutors t WHERE t.school_id = s.id) AS tutors,
                (SELECT COUNT(*) FROM tutoring_students st WHERE st.school_id = s.id) AS students,
                (SELECT CAST(COALESCE(SUM(t.capacity), 0) AS BIGINT) FROM tutoring_tutors t WHERE t.school_id = s.id) AS capacity
             FROM schools s ORDER BY s.name"
        ).fetch_all(pool).await)?)
    }

    /// Every tutor's capacity and number of tutees in an academic year (by its start year).
    pub async fn tutor_loads(&self, academic_year: i32) -> Result<Vec<TutorLoad>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutorLoad>(
            "SELECT t.external_id, t.name, s.code AS school_code, t.capacity,
                (SELECT COUNT(*) FROM tutoring_assignments a WHERE a.tutor_id = t.id AND a.academic_year = $1) AS assigned
             FROM tutoring_tutors t JOIN schools s ON s.id = t.school_id ORDER BY s.code, t.external_id"
        ).bind(i64::from(academic_year)).fetch_all(pool).await)?)
    }

    /// The identity labels held for a student (empty without consent).
    pub async fn tutoring_student_labels(&self, external_id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT l.label FROM tutoring_student_labels l JOIN tutoring_students s ON s.id = l.student_id WHERE s.external_id = $1 ORDER BY l.label"
        ).bind(external_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

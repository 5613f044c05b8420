//! Contacts between tutors and tutees, a tutor's list of tutees, and the consistency
//! dashboard's figures: per School, counted from the year's roster (kept until an assignment,
//! a student's School or a tutor changes; tutors' loads by aggregate SQL) and each student's
//! first contact of the year (kept, and brought up to date after a contact by reading only the
//! contacts added since: [`FirstContactDays`]).
use crate::error::OrNotFound;
use crate::pool::{on_pool, on_pool_write};
use crate::versions::Versioned;
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Rows per multi-row INSERT.
const INSERT_CHUNK: usize = 400;

/// A contact to store (validated by `flipside_core::tutoring::validate_contact`).
#[derive(Debug, Clone)]
pub struct NewContact {
    pub student_id: i64,
    pub tutor_id: i64,
    pub academic_year: i32,
    /// YYYY-MM-DD.
    pub date: String,
    /// Days since the academic year started.
    pub year_day: i64,
    pub mode: String,
    pub duration_minutes: i64,
    pub initiated_by: String,
    /// `tutor` or `student`.
    pub logged_by: String,
    pub note: String,
}

/// A stored contact, note included: show it only where `policy::tutoring_contact` allows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Contact {
    pub id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub tutor_id: i64,
    pub tutor_name: String,
    pub academic_year: i64,
    pub contact_date: String,
    pub mode: String,
    pub duration_minutes: i64,
    pub initiated_by: String,
    pub logged_by: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// One of a tutor's tutees this year, with their contacts counted.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Tutee {
    pub student_id: i64,
    pub external_id: String,
    pub name: String,
    pub school_id: i64,
    pub programme: String,
    pub year_of_study: i64,
    pub contacts: i64,
    /// Day of the year of the first contact, if any.
    pub first_day: Option<i64>,
    pub last_date: Option<String>,
}

/// One School's dashboard counts for a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SchoolCounts {
    pub school_id: i64,
    /// Students with a tutor this year.
    pub students: i64,
    /// Of them, with at least one contact.
    pub contacted: i64,
    /// Of them, had a tutor last year.
    pub had_last_year: i64,
    /// Of those, the same tutor as last year.
    pub kept: i64,
    /// Students whose first contact (if any) came after the School's no-contact-by date.
    pub no_contact_by_date: i64,
}

/// (School, value, how many): a distribution per School.
pub type SchoolHistogram = Vec<(i64, i64, u64)>;

/// The tutoring dashboard's figures of one academic year (see [`Store::dashboard_figures`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardFigures {
    /// Per School: students with a tutor this year, contacted, continuity, and those without a
    /// contact by the School's no-contact-by date.
    pub counts: Vec<SchoolCounts>,
    /// Per School: how many students had their first contact on each day of the year.
    pub first_contact_days: SchoolHistogram,
    /// Per School: how many tutors have each number of tutees this year (none included).
    pub loads: SchoolHistogram,
}

/// What the dashboard needs of a year besides its contacts and the Schools' rules: each
/// assignment with its student's School and continuity, every student's School, and the
/// tutors' loads by School (all of it under the allocation's version, migrations 0220, 0320).
#[derive(Debug, Default)]
pub struct YearRoster {
    assigned: Vec<Assigned>,
    school_of: HashMap<i64, i64>,
    /// The dashboard's tutor loads (see [`DashboardFigures::loads`]).
    loads: SchoolHistogram,
}

/// One assignment of the year, as the dashboard counts it.
#[derive(Debug, Clone, Copy)]
struct Assigned {
    student_id: i64,
    school_id: i64,
    /// The student had a tutor the year before.
    had_last_year: bool,
    /// The same tutor as the year before.
    kept: bool,
}

impl YearRoster {
    /// The per-School counts and first-contact days, from each student's first contact day of
    /// the year (`first_days`: student, day) and each School's no-contact weeks (as
    /// [`Store::tutoring_school_rules`] gives them; the default rules' for a School missing from
    /// them). Students without a School are left out of the days, as a join would.
    fn count(
        &self,
        first_days: &HashMap<i64, i64>,
        weeks: &HashMap<i64, i64>,
    ) -> (Vec<SchoolCounts>, SchoolHistogram) {
        let mut counts: BTreeMap<i64, SchoolCounts> = BTreeMap::new();
        for a in &self.assigned {
            let c = counts.entry(a.school_id).or_insert_with(|| SchoolCounts {
                school_id: a.school_id,
                ..SchoolCounts::default()
            });
            let day = first_days.get(&a.student_id).copied();
            let by = weeks.get(&a.school_id).copied().unwrap_or_else(|| {
                i64::from(flipside_core::tutoring::SchoolRules::default().no_contact_weeks)
            }) * 7;
            c.students += 1;
            c.contacted += i64::from(day.is_some());
            c.had_last_year += i64::from(a.had_last_year);
            c.kept += i64::from(a.kept);
            c.no_contact_by_date += i64::from(day.is_none_or(|d| d > by));
        }
        let mut days: BTreeMap<(i64, i64), u64> = BTreeMap::new();
        for (student, day) in first_days {
            if let Some(school) = self.school_of.get(student) {
                *days.entry((*school, *day)).or_default() += 1;
            }
        }
        (
            counts.into_values().collect(),
            days.into_iter().map(|((s, d), n)| (s, d, n)).collect(),
        )
    }
}

/// Each student's first contact day of one academic year, as one reading of the contacts saw
/// them, with what tells whether a later reading differs from it only by contacts added.
///
/// After a contact is logged the dashboard reads only the year's contacts with an id above any
/// read before ([`AddedContacts`]) instead of every first contact of the year again (issue 15).
/// That is exact when, between the two readings, no contact was changed or deleted (the
/// `contact_rewrites` counter, raised by both in their transaction: migration 0330) and no
/// contact came in below the ids already read: on PostgreSQL a transaction that took its id
/// from the sequence first can commit last. The second shows in the year's count of contacts,
/// which then exceeds the count read before plus the contacts added above it. Otherwise the
/// year is read whole again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FirstContactDays {
    /// Student, day of the year of their first contact.
    days: HashMap<i64, i64>,
    /// No contact of the year read has a higher id (the highest of any year at the reading).
    through_id: i64,
    /// The year's contacts at the reading.
    contacts: i64,
    /// The `contact_rewrites` counter at the reading.
    rewrites: i64,
}

/// One reading, in one statement, of the `contact_rewrites` counter, the year's count of
/// contacts and its contacts with an id above [`FirstContactDays::through_id`].
#[derive(Debug)]
pub(crate) struct AddedContacts {
    rewrites: i64,
    contacts: i64,
    /// Id, student, day of the year.
    added: Vec<(i64, i64, i64)>,
}

/// A row of those readings: the `contact_rewrites` counter and a count or the highest id, then
/// a contact's or a student's three columns (none when the year has nothing to add).
type ReadingRow = (i64, i64, Option<i64>, Option<i64>, Option<i64>);

impl FirstContactDays {
    /// Brings the days up to date with a later reading; false, leaving them as they were, when
    /// that reading shows a contact changed or deleted, or one added below `through_id`.
    fn add(&mut self, later: &AddedContacts) -> bool {
        let added = i64::try_from(later.added.len()).unwrap_or(i64::MAX);
        if later.rewrites != self.rewrites || later.contacts != self.contacts + added {
            return false;
        }
        for &(id, student, day) in &later.added {
            let first = self.days.entry(student).or_insert(day);
            *first = (*first).min(day);
            self.through_id = self.through_id.max(id);
        }
        self.contacts = later.contacts;
        true
    }
}

const CONTACT_COLUMNS: &str = "c.id, c.student_id, s.name AS student_name, c.tutor_id, t.name AS tutor_name, c.academic_year,
    c.contact_date, c.mode, c.duration_minutes, c.initiated_by, c.logged_by, c.note, c.created_at
    FROM tutoring_contacts c JOIN tutoring_students s ON s.id = c.student_id JOIN tutoring_tutors t ON t.id = c.tutor_id";

fn histogram(rows: Vec<(i64, i64, i64)>) -> SchoolHistogram {
    rows.into_iter()
        .map(|(s, v, c)| (s, v, u64::try_from(c).unwrap_or(0)))
        .collect()
}

impl Store {
    /// Stores one contact; returns its id.
    pub async fn add_contact(&self, c: &NewContact) -> Result<i64> {
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO tutoring_contacts (student_id, tutor_id, academic_year, contact_date, year_day, mode, duration_minutes, initiated_by, logged_by, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        ).bind(c.student_id).bind(c.tutor_id).bind(i64::from(c.academic_year)).bind(&c.date).bind(c.year_day)
        .bind(&c.mode).bind(c.duration_minutes).bind(&c.initiated_by).bind(&c.logged_by).bind(&c.note).bind(now())
        .fetch_one(pool).await)?;
        Ok(id)
    }

    /// Stores many contacts at once (the demo's year of contacts), in one transaction.
    pub async fn add_contacts(&self, contacts: &[NewContact]) -> Result<()> {
        let created = now();
        on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in contacts.chunks(INSERT_CHUNK) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO tutoring_contacts (student_id, tutor_id, academic_year, contact_date, year_day, mode, duration_minutes, initiated_by, logged_by, note, created_at) ");
                insert.push_values(chunk, |mut row, c| {
                    row.push_bind(c.student_id).push_bind(c.tutor_id).push_bind(i64::from(c.academic_year)).push_bind(&c.date)
                        .push_bind(c.year_day).push_bind(&c.mode).push_bind(c.duration_minutes).push_bind(&c.initiated_by)
                        .push_bind(&c.logged_by).push_bind(&c.note).push_bind(created);
                });
                insert.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }

    /// Every (student, tutor, School of the student) assignment of an academic year.
    pub async fn assignments_of_year(&self, academic_year: i32) -> Result<Vec<(i64, i64, i64)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT a.student_id, a.tutor_id, s.school_id FROM tutoring_assignments a
             JOIN tutoring_students s ON s.id = a.student_id WHERE a.academic_year = $1 ORDER BY a.student_id"
        ).bind(i64::from(academic_year)).fetch_all(pool).await)?)
    }

    /// Contacts logged in an academic year (any year when `None`).
    pub async fn count_contacts(&self, academic_year: Option<i32>) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM tutoring_contacts WHERE $1 IS NULL OR academic_year = $1"
        ).bind(academic_year.map(i64::from)).fetch_one(pool).await)?;
        Ok(n)
    }

    /// One contact.
    pub async fn contact(&self, id: i64) -> Result<Contact> {
        let sql = format!("SELECT {CONTACT_COLUMNS} WHERE c.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, Contact>(&sql).bind(id).fetch_optional(pool).await).or_not_found()
    }

    /// A student's contacts, latest first.
    pub async fn contacts_of_student(&self, student_id: i64) -> Result<Vec<Contact>> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} WHERE c.student_id = $1 ORDER BY c.contact_date DESC, c.id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Contact>(&sql).bind(student_id).fetch_all(pool).await)?,
        )
    }

    /// A tutor's tutees in an academic year, with their contacts that year. Kept in memory per
    /// tutor and year until tutoring data changes (the tutor's home page and tutees page).
    pub async fn tutees(&self, tutor_id: i64, academic_year: i32) -> Result<Vec<Tutee>> {
        let version = self.data_version(Versioned::Tutoring).await?;
        let kept = self
            .caches
            .tutees
            .get((tutor_id, academic_year), version, || {
                self.read_tutees(tutor_id, academic_year)
            })
            .await?;
        Ok(kept.as_ref().clone())
    }

    async fn read_tutees(&self, tutor_id: i64, academic_year: i32) -> Result<Vec<Tutee>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Tutee>(
            "SELECT s.id AS student_id, s.external_id, s.name, s.school_id, s.programme, s.year_of_study,
                COUNT(c.id) AS contacts, MIN(c.year_day) AS first_day, MAX(c.contact_date) AS last_date
             FROM tutoring_assignments a JOIN tutoring_students s ON s.id = a.student_id
             LEFT JOIN tutoring_contacts c ON c.student_id = s.id AND c.academic_year = a.academic_year
             WHERE a.tutor_id = $1 AND a.academic_year = $2
             GROUP BY s.id, s.external_id, s.name, s.school_id, s.programme, s.year_of_study
             ORDER BY s.name, s.external_id"
        ).bind(tutor_id).bind(i64::from(academic_year)).fetch_all(pool).await)?)
    }

    /// The tutoring dashboard's figures of a year: per School the counts, the first-contact
    /// days and the tutor loads. Kept in memory until tutoring data changes (see
    /// [`crate::versions`]); the version is read once for all three.
    pub async fn dashboard_figures(&self, academic_year: i32) -> Result<Arc<DashboardFigures>> {
        let version = self.data_version(Versioned::Tutoring).await?;
        self.caches
            .dashboard
            .get(academic_year, version, || async {
                let roster = self.year_roster(academic_year).await?;
                let first_days = self.first_contact_days(academic_year).await?;
                let weeks = self
                    .tutoring_school_rules()
                    .await?
                    .into_iter()
                    .map(|s| (s.school_id, s.no_contact_weeks))
                    .collect();
                let (counts, first_contact_days) = roster.count(&first_days.days, &weeks);
                Ok(DashboardFigures {
                    counts,
                    first_contact_days,
                    loads: roster.loads.clone(),
                })
            })
            .await
    }

    /// Each student's first contact day of a year as the database holds it now, from what this
    /// process kept of the year and the contacts added since where that is exact, else from the
    /// year's contacts read whole ([`FirstContactDays`]). Called by the dashboard's figures,
    /// which are computed one year at a time; a second caller at once would read the year
    /// whole, which is as exact.
    async fn first_contact_days(&self, academic_year: i32) -> Result<Arc<FirstContactDays>> {
        let kept = self
            .caches
            .first_contact_days
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&academic_year);
        let year = i64::from(academic_year);
        let days = match kept {
            Some(mut kept) => {
                // The `+` keeps SQLite from scanning the year's index instead of the ids above.
                let rows: Vec<ReadingRow> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT v.version, (SELECT COUNT(*) FROM tutoring_contacts WHERE academic_year = $1), c.id, c.student_id, c.year_day
                     FROM data_versions v LEFT JOIN tutoring_contacts c ON c.id > $2 AND +c.academic_year = $1
                     WHERE v.name = 'contact_rewrites'"
                ).bind(year).bind(kept.through_id).fetch_all(pool).await)?;
                let later = AddedContacts {
                    rewrites: rows.first().map_or(-1, |r| r.0),
                    contacts: rows.first().map_or(-1, |r| r.1),
                    added: rows
                        .iter()
                        .filter_map(|r| Some((r.2?, r.3?, r.4?)))
                        .collect(),
                };
                // Not cloned: the figures computed from the last reading let go of it.
                if Arc::make_mut(&mut kept).add(&later) {
                    kept
                } else {
                    Arc::new(self.read_first_contact_days(year).await?)
                }
            }
            None => Arc::new(self.read_first_contact_days(year).await?),
        };
        self.caches
            .first_contact_days
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(academic_year, days.clone());
        Ok(days)
    }

    /// A year's first contact days read whole, in one statement.
    async fn read_first_contact_days(&self, year: i64) -> Result<FirstContactDays> {
        let rows: Vec<ReadingRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT v.version, (SELECT COALESCE(MAX(id), 0) FROM tutoring_contacts), f.student_id, f.first_day, f.contacts
             FROM data_versions v LEFT JOIN (
                 SELECT student_id, MIN(year_day) AS first_day, COUNT(*) AS contacts FROM tutoring_contacts
                 WHERE academic_year = $1 GROUP BY student_id
             ) f ON 1 = 1
             WHERE v.name = 'contact_rewrites'"
        ).bind(year).fetch_all(pool).await)?;
        let Some(&(rewrites, through_id, ..)) = rows.first() else {
            return Err(crate::StoreError::Corrupt(
                "the contact_rewrites counter is missing from data_versions".into(),
            ));
        };
        let mut days = FirstContactDays {
            rewrites,
            through_id,
            ..FirstContactDays::default()
        };
        for (_, _, student, first, contacts) in rows {
            if let (Some(student), Some(first), Some(contacts)) = (student, first, contacts) {
                days.days.insert(student, first);
                days.contacts += contacts;
            }
        }
        Ok(days)
    }

    /// The year's [`YearRoster`], kept under the allocation's version: contacts leave it alone,
    /// so a contact logged costs the dashboard only the contacts added since
    /// ([`FirstContactDays`]) instead of the roster's joins (issue 15).
    async fn year_roster(&self, academic_year: i32) -> Result<Arc<YearRoster>> {
        let version = self.data_version(Versioned::Allocation).await?;
        self.caches
            .year_rosters
            .get(academic_year, version, || async {
                let assigned: Vec<(i64, i64, Option<i64>, i64)> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT a.student_id, st.school_id, p.tutor_id, a.tutor_id
                     FROM tutoring_assignments a
                     JOIN tutoring_students st ON st.id = a.student_id
                     LEFT JOIN tutoring_assignments p ON p.student_id = a.student_id AND p.academic_year = $2
                     WHERE a.academic_year = $1"
                ).bind(i64::from(academic_year)).bind(i64::from(academic_year) - 1).fetch_all(pool).await)?;
                let schools: Vec<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT id, school_id FROM tutoring_students"
                ).fetch_all(pool).await)?;
                Ok(YearRoster {
                    loads: self.compute_tutor_load_histogram(academic_year).await?,
                    assigned: assigned
                        .into_iter()
                        .map(|(student_id, school_id, last_tutor, tutor)| Assigned {
                            student_id,
                            school_id,
                            had_last_year: last_tutor.is_some(),
                            kept: last_tutor == Some(tutor),
                        })
                        .collect(),
                    school_of: schools.into_iter().collect(),
                })
            })
            .await
    }

    async fn compute_tutor_load_histogram(&self, academic_year: i32) -> Result<SchoolHistogram> {
        let rows: Vec<(i64, i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            // Count per tutor first, then join: joining tutors to assignments row by row let
            // SQLite pick the year index and scan the whole year once per tutor (13 s).
            "SELECT t.school_id, COALESCE(c.load, 0) AS load, COUNT(*) FROM tutoring_tutors t
             LEFT JOIN (SELECT tutor_id, COUNT(*) AS load FROM tutoring_assignments WHERE academic_year = $1 GROUP BY tutor_id) c
                ON c.tutor_id = t.id
             GROUP BY t.school_id, COALESCE(c.load, 0)"
        ).bind(i64::from(academic_year)).fetch_all(pool).await)?;
        Ok(histogram(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assigned(student_id: i64, school_id: i64, last_year: Option<bool>) -> Assigned {
        Assigned {
            student_id,
            school_id,
            had_last_year: last_year.is_some(),
            kept: last_year == Some(true),
        }
    }

    #[test]
    fn the_roster_counts_each_school_from_first_contact_days_and_its_no_contact_weeks() {
        let (law, history) = (1, 2);
        let roster = YearRoster {
            assigned: vec![
                assigned(1, law, Some(true)),
                assigned(2, law, Some(false)),
                assigned(3, law, None),
                assigned(8, law, None),
                assigned(4, history, None),
                assigned(5, history, None),
            ],
            school_of: [
                (1, law),
                (2, law),
                (3, law),
                (8, law),
                (4, history),
                (5, history),
                (6, history),
            ]
            .into_iter()
            .collect(),
            loads: vec![],
        };
        // Law gives two weeks (day 14); History is missing: the default ten weeks (day 70).
        // Student 6 is not assigned this year but had a contact; student 7 has no School.
        let first_days = [(1, 10), (2, 20), (8, 10), (4, 70), (5, 71), (6, 5), (7, 3)]
            .into_iter()
            .collect();
        let weeks = [(law, 2)].into_iter().collect();
        let (counts, days) = roster.count(&first_days, &weeks);
        assert_eq!(
            counts,
            vec![
                SchoolCounts {
                    school_id: law,
                    students: 4,
                    contacted: 3,
                    had_last_year: 2,
                    kept: 1,
                    // Student 2's first contact came after day 14, student 3 had none.
                    no_contact_by_date: 2,
                },
                SchoolCounts {
                    school_id: history,
                    students: 2,
                    contacted: 2,
                    had_last_year: 0,
                    kept: 0,
                    // Day 70 is on time, day 71 is not.
                    no_contact_by_date: 1,
                },
            ]
        );
        assert_eq!(
            days,
            vec![
                (law, 10, 2),
                (law, 20, 1),
                (history, 5, 1),
                (history, 70, 1),
                (history, 71, 1),
            ]
        );
        // No contacts yet: nobody contacted, everybody counted as without a contact by the date.
        let (counts, days) = roster.count(&HashMap::new(), &weeks);
        assert_eq!(counts[0].contacted, 0);
        assert_eq!(counts[0].no_contact_by_date, 4);
        assert!(days.is_empty());
    }

    fn reading(rewrites: i64, contacts: i64, added: &[(i64, i64, i64)]) -> AddedContacts {
        AddedContacts {
            rewrites,
            contacts,
            added: added.to_vec(),
        }
    }

    #[test]
    fn first_contact_days_take_in_added_contacts_and_refuse_what_adding_cannot_explain() {
        // Read whole: students 1 and 2, three contacts, ids up to 12, the counter at 4.
        let read = FirstContactDays {
            days: [(1, 30), (2, 12)].into_iter().collect(),
            through_id: 12,
            contacts: 3,
            rewrites: 4,
        };

        // Two contacts added above id 12: an earlier one for student 1, a first for student 3.
        let mut days = read.clone();
        assert!(days.add(&reading(4, 5, &[(13, 1, 9), (15, 3, 40)])));
        assert_eq!(days.days, [(1, 9), (2, 12), (3, 40)].into_iter().collect());
        assert_eq!((days.through_id, days.contacts), (15, 5));
        // A later contact changes no first day, but is counted.
        assert!(days.add(&reading(4, 6, &[(16, 2, 50)])));
        assert_eq!(days.days[&2], 12);
        assert_eq!((days.through_id, days.contacts), (16, 6));
        // Nothing added.
        let unchanged = days.clone();
        assert!(days.add(&reading(4, 6, &[])));
        assert_eq!(days, unchanged);

        // A contact changed or deleted since: refused, the days left as they were.
        let mut days = read.clone();
        assert!(!days.add(&reading(5, 3, &[])));
        assert!(!days.add(&reading(5, 4, &[(13, 1, 9)])));
        assert_eq!(days, read);
        // A contact with an id below 13 committed after the reading (one more in the year's
        // count than the contacts above 12 explain): refused.
        assert!(!days.add(&reading(4, 4, &[])));
        assert!(!days.add(&reading(4, 5, &[(13, 1, 9)])));
        assert_eq!(days, read);
    }
}

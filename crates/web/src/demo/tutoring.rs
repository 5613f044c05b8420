//! The demo's personal tutoring: a whole generated institution (about 38,000 students and
//! 2,500 tutors, everyone invented) with last year's tutors, this year's allocation run and
//! published, and a year's contacts so far. Deterministic, and idempotent: what is there is
//! reused. The demo tutor and student accounts are a tutor and a student of record (matched
//! by email), tutor and tutee of each other.
use flipside_core::cycle::AcademicYear;
use flipside_core::import::{Files, Source, generate, read_institution};
use flipside_core::tutoring::{self, SchoolRules, allocate_institution};
use flipside_store::{NewContact, Store};
use std::collections::HashMap;

/// Size of the demo institution.
pub const STUDENTS: usize = 38_000;
pub const TUTORS: usize = 2_500;

const NOTES: &[&str] = &[
    "Talked about settling in and finding a study routine.",
    "Went through module choices for next term.",
    "Worried about a deadline clash; agreed to email the module lead.",
    "Discussed a part-time job and how to balance it.",
    "Pointed to the wellbeing service and the library workshops.",
    "Checked in after the first assessments.",
    "",
];

/// SplitMix64, so the demo is the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Replaces the name and email of the row whose first field is `id`.
/// The id of the first record (tutor or student) of a School, by its code (the fourth column).
fn first_of_school(csv: &str, school_code: &str) -> Option<String> {
    csv.lines()
        .skip(1)
        .map(|line| line.split(',').collect::<Vec<_>>())
        .find(|f| f.get(3) == Some(&school_code))
        .map(|f| f[0].to_string())
}

fn rename(csv: &str, id: &str, name: &str, email: &str) -> String {
    csv.lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            if fields.first() == Some(&id) && fields.len() > 2 {
                fields[1] = name;
                fields[2] = email;
            }
            fields.join(",") + "\n"
        })
        .collect()
}

/// Imports, allocates, publishes and fills in contacts; `tutor` and `student` are the demo
/// accounts' (name, email) made tutor and tutee of each other.
pub async fn seed(store: &Store, tutor: (&str, &str), student: (&str, &str)) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let year = AcademicYear::containing(today);
    let last = AcademicYear::from_start_year(year.start_year() - 1);
    if store
        .tutoring_by_school()
        .await?
        .iter()
        .all(|s| s.students == 0)
    {
        let mut files = generate::generate(STUDENTS, TUTORS, &last.to_string(), 2026);
        // The demo tutor and student are a tutor and a student of the School of Law (whose
        // School lead is a demo account too), and were tutor and tutee last year.
        let tutor_id = first_of_school(&files.tutors, "LAW").unwrap_or_else(|| "T00001".into());
        let student_id =
            first_of_school(&files.students, "LAW").unwrap_or_else(|| "S000001".into());
        files.tutors = rename(&files.tutors, &tutor_id, tutor.0, tutor.1);
        files.students = rename(&files.students, &student_id, student.0, student.1);
        files.assignments = files
            .assignments
            .lines()
            .filter(|l| !l.starts_with(&format!("{student_id},")))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            + &format!("{student_id},{tutor_id},{last}\n");
        let institution = read_institution(
            Files {
                schools: Some(Source::new("schools.csv", files.schools.as_bytes())),
                tutors: Some(Source::new("tutors.csv", files.tutors.as_bytes())),
                students: Some(Source::new("students.csv", files.students.as_bytes())),
                assignments: Some(Source::new("assignments.csv", files.assignments.as_bytes())),
            },
            &store.tutoring_known().await?,
        )
        .map_err(|errors| anyhow::anyhow!("the demo's tutoring files: {}", errors[0]))?;
        store
            .import_institution(&institution, false, &|_| {})
            .await?;
        // The demo accounts are the people of those records: link them, as their first
        // sign-in would.
        for (_, email) in [tutor, student] {
            let user = store.user_by_email(email).await?;
            let records = store.unlinked_records_naming(email).await?;
            let mut tx = store.begin().await?;
            for (kind, id) in records {
                tx.link_tutoring_record(kind, id, user.id, email).await?;
            }
            tx.commit().await?;
        }
    }

    let y = year.start_year();
    let schools = store.tutoring_school_rules().await?;
    if store.allocation_run(y).await?.is_none() {
        // The School of Law keeps tutors across years (the five-year continuation).
        if let Some(law) = schools.iter().find(|s| s.code == "LAW") {
            store
                .set_tutoring_school_rules(
                    law.school_id,
                    SchoolRules {
                        continuity_required: true,
                        ..law.rules()
                    },
                )
                .await?;
        }
        let rules: HashMap<i64, SchoolRules> = store
            .tutoring_school_rules()
            .await?
            .iter()
            .map(|r| (r.school_id, r.rules()))
            .collect();
        let (students, tutors) = store.allocation_input(y).await?;
        let proposals =
            tokio::task::spawn_blocking(move || allocate_institution(&students, &tutors, &rules))
                .await?;
        store.save_allocation_draft(y, &proposals, None).await?;
        let mut tx = store.begin().await?;
        tx.publish_allocation(y).await?;
        tx.commit().await?;
    }

    if store.count_contacts(Some(y)).await? == 0 {
        contacts(store, year, today).await?;
    }
    Ok(())
}

/// A year of contacts so far: coverage differs by School (practice is inconsistent), first
/// contacts spread over the autumn, none in the future.
async fn contacts(
    store: &Store,
    year: AcademicYear,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let y = year.start_year();
    let days_so_far = tutoring::day_of_year(year, today);
    let mut rng = Rng(0xC0FF_EE00 + y as u64);
    let mut batch = Vec::new();
    for (student_id, tutor_id, school_id) in store.assignments_of_year(y).await? {
        // Between 50% and 95% of a School's students have had a contact.
        let coverage = 50 + (school_id.unsigned_abs() * 37) % 46;
        if rng.below(100) >= coverage {
            continue;
        }
        // First contacts from early September (day 35) over ten weeks.
        let mut day = 35 + rng.below(70) as i64;
        for _ in 0..1 + rng.below(4) {
            if day > days_so_far {
                break;
            }
            let date = tutoring::year_start(year) + chrono::Days::new(day as u64);
            batch.push(NewContact {
                student_id,
                tutor_id,
                academic_year: y,
                date: date.format("%Y-%m-%d").to_string(),
                year_day: day,
                mode: tutoring::MODES[rng.below(tutoring::MODES.len() as u64) as usize]
                    .0
                    .to_string(),
                duration_minutes: 10 + 5 * rng.below(11) as i64,
                initiated_by: if rng.below(3) == 0 {
                    "student"
                } else {
                    "tutor"
                }
                .to_string(),
                logged_by: "tutor".to_string(),
                note: NOTES[rng.below(NOTES.len() as u64) as usize].to_string(),
            });
            day += 14 + rng.below(40) as i64;
        }
    }
    store.add_contacts(&batch).await?;
    Ok(())
}

//! The demo organisation: an invented university with faculties and Schools, an institutional
//! reverse-mentoring scheme and a School-level pilot, and people in every role. Every person,
//! name and text here is made up. Running `flipside demo` again on the same data directory
//! reuses what is there.
use flipside_core::cycle::{AcademicYear, CycleState};
use flipside_core::framework::Framework;
use flipside_core::role::{Grant, Role, Scope};
use flipside_core::scheme::SchemeKind;
use flipside_store::{NewScheme, NewUser, Store, StoreError};

/// Every demo account's password.
pub const PASSWORD: &str = "flipside-demo";
pub const COORDINATOR: &str = "coordinator@demo.flipside.test";

const FACULTIES: &[(&str, &[(&str, &str)])] = &[
    (
        "Faculty of Arts and Humanities",
        &[
            ("School of History", "HIS"),
            ("School of English and Creative Writing", "ENG"),
        ],
    ),
    (
        "Faculty of Science and Engineering",
        &[
            ("School of Engineering", "ENGR"),
            ("School of Computer Science", "COMP"),
            ("School of Chemistry", "CHEM"),
        ],
    ),
    (
        "Faculty of Health and Life Sciences",
        &[
            ("School of Nursing and Midwifery", "NURS"),
            ("School of Biosciences", "BIOS"),
        ],
    ),
    (
        "Faculty of Social Sciences",
        &[
            ("School of Law", "LAW"),
            ("Business School", "BUS"),
            ("School of Education", "EDU"),
        ],
    ),
];

/// (email local part, name, role, scope hint)
const PEOPLE: &[(&str, &str, Role, &str)] = &[
    ("admin", "Morgan Ellery", Role::Admin, "org"),
    ("coordinator", "Priya Raman", Role::Coordinator, "org"),
    (
        "law.coordinator",
        "Daniel Okafor",
        Role::Coordinator,
        "law-pilot",
    ),
    ("mentor", "Amara Nwosu", Role::Mentor, "current"),
    ("mentor2", "Tomasz Wiśniewski", Role::Mentor, "current"),
    ("mentee", "Professor Helen Marsh", Role::Mentee, "current"),
    ("mentee2", "Dr Graham Holt", Role::Mentee, "current"),
    ("tutor", "Dr Leila Haddad", Role::Tutor, "org"),
    ("student", "Jordan Baptiste", Role::Student, "org"),
    ("student.lead", "Sana Mirza", Role::StudentLead, "org"),
    ("researcher", "Dr Owen Price", Role::Researcher, "org"),
    (
        "school.lead",
        "Dr Ruth Adeyemi",
        Role::SchoolLead,
        "school-law",
    ),
];

fn email(local: &str) -> String {
    format!("{local}@demo.flipside.test")
}

/// The accounts, as printed at start-up.
pub fn accounts_text() -> String {
    let mut out = format!("Demo accounts (password for all: {PASSWORD}):\n");
    for (local, name, role, _) in PEOPLE {
        out.push_str(&format!(
            "  {:<40} {:<24} {}\n",
            email(local),
            name,
            role.label()
        ));
    }
    out
}

/// Creates the demo organisation unless it is already there; returns the accounts text.
pub async fn ensure(store: &Store) -> anyhow::Result<String> {
    match store.user_by_email(COORDINATOR).await {
        Ok(_) => return Ok(accounts_text()),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    store
        .ensure_organisation("University of Northmoor", "Northmoor")
        .await?;
    let mut law_school = 0;
    for (faculty, schools) in FACULTIES {
        let fid = store.create_faculty(faculty).await?;
        for (name, code) in *schools {
            let id = store.create_school(fid, name, code).await?;
            if *code == "LAW" {
                law_school = id;
            }
        }
    }

    let institutional = store
        .create_scheme(NewScheme {
            name: "Reverse Mentoring at Northmoor",
            kind: SchemeKind::Institutional,
            purpose: "Students who self-identify as under-represented mentor senior leaders, so that leaders understand students' lived experience and act on it.",
            school_id: None,
            created_by: None,
        })
        .await?;
    let law_pilot = store
        .create_scheme(NewScheme {
            name: "Law School Reverse Mentoring Pilot",
            kind: SchemeKind::School,
            purpose: "A School-level pilot pairing Law students with the School's leadership team, alongside the institutional scheme.",
            school_id: Some(law_school),
            created_by: None,
        })
        .await?;
    store
        .create_scheme(NewScheme {
            name: "Personal Tutoring Co-design",
            kind: SchemeKind::AptCoDesign,
            purpose: "Student APT Leads and staff design a consistent personal tutoring experience across Schools.",
            school_id: None,
            created_by: None,
        })
        .await?;

    let framework = serde_json::to_string(&Framework::default_plan())?;
    let last_year = AcademicYear::parse("2025/26").map_err(|e| anyhow::anyhow!("{e}"))?;
    let past = store
        .create_cycle(institutional, last_year, 20, &framework, None, None)
        .await?;
    let mut state = CycleState::Recruiting;
    while let Some(next) = state.next() {
        store.transition_cycle(past, state, next, None).await?;
        state = next;
    }
    evaluation(store, past).await?;
    let current = store
        .create_cycle(
            institutional,
            last_year.next(),
            20,
            &framework,
            Some(past),
            None,
        )
        .await?;
    store
        .create_cycle(law_pilot, last_year.next(), 12, &framework, None, None)
        .await?;

    let hash = crate::auth::password::hash(PASSWORD)?;
    let mut ids = Vec::new();
    for (local, name, role, scope) in PEOPLE {
        let id = store
            .create_user(NewUser {
                email: &email(local),
                display_name: name,
                password_hash: Some(&hash),
                school_id: None,
            })
            .await?;
        ids.push(id);
        let scope = match *scope {
            "current" => Scope::Cycle(current),
            "law-pilot" => Scope::Scheme(law_pilot),
            "school-law" => Scope::School(law_school),
            _ => Scope::Organisation,
        };
        store
            .grant_role(
                id,
                Grant::new(*role, scope).map_err(|e| anyhow::anyhow!("{e}"))?,
                None,
            )
            .await?;
    }
    let coordinator_id = ids[1];
    // The coordinator also took part as a mentee once: people hold several roles.
    store
        .grant_role(
            coordinator_id,
            Grant {
                role: Role::Mentee,
                scope: Scope::Cycle(past),
            },
            None,
        )
        .await?;
    tutoring(store).await?;
    Ok(accounts_text())
}

/// A few hundred invented students, their tutors and last year's assignments, imported as from
/// a student record system. (Full-size files for benchmarks: `flipside generate-institution`.)
async fn tutoring(store: &Store) -> anyhow::Result<()> {
    use flipside_core::import::{Files, Source, generate, read_institution};
    let files = generate::generate(400, 30, "2024/25", 2026);
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
    Ok(())
}

/// One role's plan: (role, code prefix, people, consenting, responded per wave,
/// [(statement, pre, post, follow-up mean)]).
type WavePlan = (
    &'static str,
    &'static str,
    usize,
    usize,
    [usize; 3],
    &'static [(&'static str, f64, f64, f64)],
);

/// Pre, post and follow-up answers for last year's cycle, shaped like the published cycle:
/// 26 mentors (25 answered before, 20 after) and 26 staff mentees (16 before, 7 after), with
/// means near the reported ones. Deterministic, so every demo shows the same results.
async fn evaluation(store: &Store, cycle: i64) -> anyhow::Result<()> {
    store.ensure_default_instruments().await?;
    use flipside_core::evaluation::Wave;
    // (role, code prefix, people, consenting, responded per wave, [(statement, pre, post, follow-up mean)])
    let plan: [WavePlan; 2] = [
        (
            "mentor",
            "M",
            26,
            24,
            [25, 20, 12],
            &[
                ("belonging", 3.08, 3.70, 3.55),
                ("valued", 3.13, 3.45, 3.40),
                ("visibility", 2.85, 3.50, 3.30),
                ("confidence_in_leaders", 2.70, 3.25, 3.15),
            ],
        ),
        (
            "mentee",
            "L",
            26,
            23,
            [16, 7, 5],
            &[
                ("understand_challenges", 2.81, 3.17, 3.10),
                ("understand_engagement", 3.06, 4.17, 4.00),
                ("understand_confidence", 3.75, 4.50, 4.40),
            ],
        ),
    ];
    let mut seed: u64 = 0x5eed_f11b;
    let mut jitter = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % 1000) as f64 / 1000.0 - 0.5
    };
    for (role, prefix, people, consenting, responded, statements) in plan {
        for i in 0..people {
            let code = format!("{prefix}{:02}", i + 1);
            let participant = store
                .add_survey_participant(cycle, &code, role, None, i < consenting)
                .await?;
            // Each person sits a little above or below the group, the same way in every wave.
            let offset = [-1.2, -0.6, 0.0, 0.6, 1.2, -0.3, 0.3][i % 7];
            for (w, wave) in Wave::ALL.iter().enumerate() {
                if i >= responded[w] {
                    continue;
                }
                let answers: Vec<(&str, i64)> = statements
                    .iter()
                    .map(|(code, pre, post, follow)| {
                        let target = [pre, post, follow][w];
                        (
                            *code,
                            (target + offset + jitter()).round().clamp(1.0, 5.0) as i64,
                        )
                    })
                    .collect();
                store.record_answers(participant, *wave, &answers).await?;
            }
        }
    }
    Ok(())
}

//! The demo organisation: an invented university with faculties and Schools, an institutional
//! reverse-mentoring scheme and a School-level pilot, and people in every role. Every person,
//! name and text here is made up. Running `flipside demo` again on the same data directory
//! reuses what is there.

pub mod cocreation;
pub mod matching;
pub mod mentoring;
pub mod qualitative;
pub mod surveys;
pub mod tutoring;
use flipside_core::cycle::{AcademicYear, CycleState};
use flipside_core::framework::Framework;
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_core::role::{Grant, Role, Scope};
use flipside_core::scheme::SchemeKind;
use flipside_store::{NewApplication, NewScheme, NewUser, Store, StoreError};

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
    population(store).await?;
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
    let mut state = CycleState::Draft;
    while let Some(next) = state.next() {
        let mut tx = store.begin().await?;
        tx.transition_cycle(past, state, next, None).await?;
        tx.commit().await?;
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
    let pilot = store
        .create_cycle(law_pilot, last_year.next(), 12, &framework, None, None)
        .await?;
    // This year's cycles start as drafts, like every new cycle. The institutional scheme's
    // call is open; the Law pilot has matched its pairs and they are meeting.
    for (cycle, reached) in [
        (current, CycleState::Recruiting),
        (pilot, CycleState::Running),
    ] {
        let mut state = CycleState::Draft;
        while state != reached {
            let Some(next) = state.next() else { break };
            let mut tx = store.begin().await?;
            tx.transition_cycle(cycle, state, next, None).await?;
            tx.commit().await?;
            state = next;
        }
    }

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
    applications(store, current, ids[1]).await?;
    crate::demo::matching::seed(store, current, ids[1]).await?;
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
    crate::demo::tutoring::seed(
        store,
        ("Dr Leila Haddad", &email("tutor")),
        ("Jordan Baptiste", &email("student")),
    )
    .await?;
    crate::demo::surveys::seed(store, past, current).await?;
    crate::demo::mentoring::seed(store, past, pilot, coordinator_id).await?;
    let researcher_id = PEOPLE
        .iter()
        .position(|(local, ..)| *local == "researcher")
        .map_or(coordinator_id, |i| ids[i]);
    crate::demo::qualitative::seed(store, past, coordinator_id, researcher_id).await?;
    crate::demo::cocreation::seed(store).await?;
    store.optimize().await?;
    Ok(accounts_text())
}

/// (name, label positions, own words, course, level code, status code).
type Applicant = (
    &'static str,
    &'static [usize],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Invented applicants to the recruiting cycle: (name, positions (from 1) of the default
/// labels chosen, own words, course, level, status).
const APPLICANTS: &[Applicant] = &[
    (
        "Kofi Mensah",
        &[1, 4],
        "",
        "BSc Computer Science",
        "ug2",
        "accepted",
    ),
    ("Aisha Begum", &[1, 5], "", "LLB Law", "ug1", "accepted"),
    (
        "Liam O'Connor",
        &[2, 4],
        "Carer for my dad while studying",
        "BA History",
        "ug3",
        "submitted",
    ),
    (
        "Mei Lin Zhang",
        &[3],
        "",
        "MSc Data Science",
        "pgt",
        "waitlisted",
    ),
    (
        "Chidi Eze",
        &[1],
        "",
        "MEng Mechanical Engineering",
        "ug4",
        "submitted",
    ),
    (
        "Rosa Martínez",
        &[3],
        "",
        "MA Education",
        "pgt",
        "submitted",
    ),
    (
        "Hamza Siddiqui",
        &[1],
        "",
        "BSc Chemistry",
        "ug1",
        "submitted",
    ),
    (
        "Grace Adebayo",
        &[1, 2],
        "",
        "BSc Nursing",
        "ug2",
        "accepted",
    ),
    (
        "Ewan Fraser",
        &[5],
        "Autistic, and proud of it",
        "BA English",
        "ug2",
        "submitted",
    ),
    (
        "Priyanka Desai",
        &[1],
        "",
        "BSc Biosciences",
        "ug3",
        "declined",
    ),
    (
        "Noah Williams",
        &[4],
        "",
        "BSc Business Management",
        "ug1",
        "submitted",
    ),
    (
        "Fatima Haidari",
        &[1, 3],
        "",
        "LLM International Law",
        "pgt",
        "waitlisted",
    ),
    (
        "Joseph Kamara",
        &[1, 2, 4],
        "",
        "BSc Nursing",
        "ug1",
        "submitted",
    ),
    (
        "Sophie Turner",
        &[5],
        "",
        "PhD Chemistry",
        "pgr",
        "submitted",
    ),
    (
        "Dmitri Volkov",
        &[3],
        "",
        "MSc Computer Science",
        "pgt",
        "declined",
    ),
    (
        "Amina Yusuf",
        &[1, 5],
        "Deaf, BSL user",
        "BA Education",
        "ug2",
        "accepted",
    ),
    (
        "Callum Reid",
        &[2],
        "",
        "BEng Civil Engineering",
        "ug3",
        "submitted",
    ),
    ("Yasmin Haddad", &[1, 4], "", "LLB Law", "ug2", "submitted"),
    (
        "Oliver Bennett",
        &[4],
        "First in my family to go to university",
        "BA History",
        "ug1",
        "waitlisted",
    ),
    (
        "Nia Roberts",
        &[2, 5],
        "",
        "BSc Psychology",
        "ug4",
        "submitted",
    ),
    (
        "Kwame Asante",
        &[1],
        "",
        "BSc Computer Science",
        "ug1",
        "submitted",
    ),
    (
        "Isabel Costa",
        &[3, 4],
        "",
        "MA Creative Writing",
        "pgt",
        "submitted",
    ),
    (
        "Tariq Rahman",
        &[1],
        "",
        "MEng Electronic Engineering",
        "ug3",
        "accepted",
    ),
    (
        "Hannah Clarke",
        &[],
        "",
        "BSc Biosciences",
        "ug2",
        "submitted",
    ),
    (
        "Abdi Hassan",
        &[1, 4],
        "",
        "BSc Business Management",
        "ug2",
        "withdrawn",
    ),
    (
        "Lucy Evans",
        &[2],
        "Returned to study after ten years in retail",
        "BSc Nursing",
        "ug1",
        "submitted",
    ),
    (
        "Jin-woo Park",
        &[3],
        "",
        "PhD Computer Science",
        "pgr",
        "submitted",
    ),
    ("Zara Ahmed", &[1, 5], "", "BA English", "ug3", "submitted"),
    ("Ben Okoro", &[1, 2], "", "LLB Law", "ug4", "declined"),
    (
        "Megan Hughes",
        &[5],
        "Working-class Welsh speaker",
        "BA Education",
        "ug2",
        "submitted",
    ),
];

/// About thirty applications to the recruiting cycle, so that review and the pool's
/// composition have something to show. The applicants have no password: they cannot sign in.
/// Invented population figures, so the pool composition has something to compare with.
async fn population(store: &Store) -> anyhow::Result<()> {
    const FIGURES: [(&str, i64); 4] = [
        ("UK ethnically minoritised", 5_840),
        ("Mature (21+) entry", 3_120),
        ("International", 4_610),
        ("Widening participation background", 6_250),
    ];
    let labels = store.identity_labels().await?;
    let by_label: Vec<(i64, Option<i64>)> = labels
        .iter()
        .filter_map(|l| {
            let n = FIGURES.iter().find(|(name, _)| *name == l.name)?.1;
            Some((l.id, Some(n)))
        })
        .collect();
    store
        .set_population(
            Some(24_300),
            "Student record, 2025/26 (invented)",
            &by_label,
        )
        .await?;
    Ok(())
}

async fn applications(store: &Store, cycle: i64, coordinator: i64) -> anyhow::Result<()> {
    let labels = store.identity_labels().await?;
    let slots = ["mon-pm", "tue-am", "wed-pm", "thu-eve", "fri-am"];
    let interests = [
        "assessment, belonging",
        "commuting, timetabling",
        "student voice",
        "mental health, belonging",
        "careers, placements",
    ];
    for (i, (name, chosen, own_words, course, level, status)) in APPLICANTS.iter().enumerate() {
        let email = format!("applicant{:02}@demo.flipside.test", i + 1);
        let user = store
            .create_user(NewUser {
                email: &email,
                display_name: name,
                password_hash: None,
                school_id: None,
            })
            .await?;
        let label_ids: Vec<i64> = chosen
            .iter()
            .filter_map(|p| labels.get(p - 1).map(|l| l.id))
            .collect();
        let availability = format!("{} {}", slots[i % 5], slots[(i + 2) % 5]);
        let mut consents = vec![ConsentKind::TakePart];
        if i % 3 != 0 {
            consents.push(ConsentKind::Research);
        }
        if i % 4 == 0 {
            consents.push(ConsentKind::Quotes);
        }
        let id = store
            .save_application(NewApplication {
                cycle_id: cycle,
                user_id: user,
                label_ids: &label_ids,
                own_words,
                course,
                level,
                interests: interests[i % 5],
                availability: &availability,
                hopes: "That lectures and assessment feel like they were designed with students like me in mind.",
                school_id: None,
                consents: &consents,
            })
            .await?;
        match ApplicationStatus::parse(status) {
            Some(ApplicationStatus::Withdrawn) => {
                store.withdraw_consent(id, ConsentKind::TakePart).await?
            }
            Some(d) if ApplicationStatus::DECISIONS.contains(&d) => {
                store
                    .decide_application(
                        id,
                        d,
                        "Thank you for applying; we will be in touch by email.",
                        Some(coordinator),
                    )
                    .await?
            }
            _ => {}
        }
    }
    Ok(())
}

/// How one role answered last year's surveys in the demo.
struct RoleAnswers {
    role: &'static str,
    /// Participant codes are this letter and a number.
    prefix: &'static str,
    people: usize,
    /// The first this many people consented to research use.
    consenting: usize,
    /// How many answered each wave (pre, post, follow-up): the first n people.
    responded: [usize; 3],
    /// (statement code, target mean in each wave)
    means: &'static [(&'static str, [f64; 3])],
}

/// Pre, post and follow-up answers for last year's cycle, shaped like the published cycle:
/// 26 mentors (25 answered before, 20 after) and 26 staff mentees (16 before, 7 after), with
/// means near the reported ones. Deterministic, so every demo shows the same results.
async fn evaluation(store: &Store, cycle: i64) -> anyhow::Result<()> {
    store.ensure_default_instruments().await?;
    use flipside_core::evaluation::Wave;
    let plan = [
        RoleAnswers {
            role: "mentor",
            prefix: "M",
            people: 26,
            // 25 consent, so the 5 who answered only before are enough for the mean over
            // everyone who answered before to be shown beside the paired change (with 4, it
            // would give away their answers, and the disclosure rule hides it).
            consenting: 25,
            responded: [25, 20, 12],
            means: &[
                ("belonging", [3.08, 3.70, 3.55]),
                ("valued", [3.13, 3.45, 3.40]),
                ("visibility", [2.85, 3.50, 3.30]),
                ("confidence_in_leaders", [2.70, 3.25, 3.15]),
            ],
        },
        RoleAnswers {
            role: "mentee",
            prefix: "L",
            people: 26,
            consenting: 23,
            responded: [16, 7, 5],
            means: &[
                ("understand_challenges", [2.81, 3.17, 3.10]),
                ("understand_engagement", [3.06, 4.17, 4.00]),
                ("understand_confidence", [3.75, 4.50, 4.40]),
            ],
        },
    ];
    let mut seed: u64 = 0x5eed_f11b;
    let mut jitter = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % 1000) as f64 / 1000.0 - 0.5
    };
    for r in plan {
        for i in 0..r.people {
            let code = format!("{}{:02}", r.prefix, i + 1);
            let participant = store
                .add_survey_participant(cycle, &code, r.role, None, i < r.consenting)
                .await?;
            // Each person sits a little above or below the group, the same way in every wave.
            let offset = [-1.2, -0.6, 0.0, 0.6, 1.2, -0.3, 0.3][i % 7];
            for (w, wave) in Wave::ALL.iter().enumerate() {
                if i >= r.responded[w] {
                    continue;
                }
                let answers: Vec<(&str, i64)> = r
                    .means
                    .iter()
                    .map(|(code, targets)| {
                        let target = targets[w];
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

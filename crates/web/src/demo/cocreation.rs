//! The demo's co-creation: design sprints in two faculties with items in every stage,
//! comments, support and a decided proposal; and the demo student as a tutoring student with a
//! profile and a pending request for a change of tutor. Running it again reuses what is there.
use flipside_core::cycle::AcademicYear;
use flipside_core::sprint::{Decision, Implementation, Stage};
use flipside_store::{NewSprint, Store, TutoringProfile};

fn email(local: &str) -> String {
    format!("{local}@demo.flipside.test")
}

/// Adds the sprints and the demo student's tutoring unless they are already there.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    sprints(store).await?;
    tutoring(store).await
}

async fn user_id(store: &Store, local: &str) -> anyhow::Result<i64> {
    Ok(store.user_by_email(&email(local)).await?.id)
}

async fn faculty_id(store: &Store, name: &str) -> anyhow::Result<Option<i64>> {
    Ok(store
        .faculties()
        .await?
        .into_iter()
        .find(|f| f.name == name)
        .map(|f| f.id))
}

async fn sprints(store: &Store) -> anyhow::Result<()> {
    let lead = user_id(store, "student.lead").await?;
    let student = user_id(store, "student").await?;
    let tutor = user_id(store, "tutor").await?;
    let coordinator = user_id(store, "coordinator").await?;
    let mentee = user_id(store, "mentee").await?;

    if let Some(f) = faculty_id(store, "Faculty of Science and Engineering").await?
        && store
            .sprint_titled(f, "Making first meetings happen")
            .await?
            .is_none()
    {
        let id = store
            .create_sprint(NewSprint {
                faculty_id: f,
                title: "Making first meetings happen",
                question: "What stops first-year students meeting their personal tutor in the first four weeks?",
                starts_on: "2026-10-05",
                ends_on: "2026-12-11",
                created_by: Some(lead),
            })
            .await?;
        let clash = store
            .add_sprint_item(id, Stage::Problems.as_str(), "Office hours clash with labs", "Most tutors hold office hours on Tuesday afternoons, when first years are in the lab.", student)
            .await?;
        let email_lost = store
            .add_sprint_item(
                id,
                Stage::Problems.as_str(),
                "The invitation email gets lost",
                "The first invitation arrives in welcome week among dozens of other emails.",
                tutor,
            )
            .await?;
        for who in [tutor, mentee, lead] {
            store.support_sprint_item(clash, who).await?;
        }
        store.support_sprint_item(email_lost, student).await?;
        store
            .add_sprint_comment(
                clash,
                tutor,
                "Same in Chemistry: I could move mine to Wednesday mornings.",
            )
            .await?;
        store.set_sprint_stage(id, "problems", "ideas").await?;
        let idea = store
            .promote_sprint_item(clash, Stage::Ideas.as_str())
            .await?;
        store
            .add_sprint_item(
                id,
                Stage::Ideas.as_str(),
                "Book the first meeting at enrolment",
                "Students pick a first-meeting slot when they enrol, from their tutor's calendar.",
                lead,
            )
            .await?;
        store.support_sprint_item(idea, student).await?;
        store.set_sprint_stage(id, "ideas", "proposals").await?;
        let proposal = store
            .promote_sprint_item(idea, Stage::Proposals.as_str())
            .await?;
        store
            .add_sprint_comment(
                proposal,
                student,
                "Wednesday mornings work for every first-year timetable we checked.",
            )
            .await?;
        store
            .decide_proposal(
                proposal,
                Decision::Accepted.as_str(),
                "Costs nothing, and students and tutors both asked for it.",
                coordinator,
                Some((
                    "Move first-year office hours to Wednesday mornings",
                    "Director of Student Support, Science and Engineering",
                )),
            )
            .await?;
        store
            .set_sprint_action_status(proposal, Implementation::InProgress.as_str())
            .await?;
    }

    if let Some(f) = faculty_id(store, "Faculty of Social Sciences").await?
        && store
            .sprint_titled(f, "Feedback that helps")
            .await?
            .is_none()
    {
        let id = store
            .create_sprint(NewSprint {
                faculty_id: f,
                title: "Feedback that helps",
                question: "How could tutorials help students use the feedback they get on assessments?",
                starts_on: "2026-11-02",
                ends_on: "2027-01-29",
                created_by: Some(lead),
            })
            .await?;
        let late = store
            .add_sprint_item(
                id,
                Stage::Problems.as_str(),
                "Feedback arrives after the next deadline",
                "By the time marks come back the next essay is already handed in.",
                student,
            )
            .await?;
        store
            .add_sprint_item(
                id,
                Stage::Problems.as_str(),
                "Nobody talks the feedback through",
                "Written comments are hard to act on without a conversation.",
                mentee,
            )
            .await?;
        store.support_sprint_item(late, tutor).await?;
        store
            .add_sprint_comment(
                late,
                mentee,
                "We could look at the marking calendar for the Law School first.",
            )
            .await?;
        store.set_sprint_stage(id, "problems", "ideas").await?;
        store
            .promote_sprint_item(late, Stage::Ideas.as_str())
            .await?;
    }
    Ok(())
}

/// The demo student and tutor as records in the Law School: an imported student and a tutor
/// of the School take the demo accounts' names and emails; this year's assignment, the
/// student's profile (goals shared, the rest private) and a pending change request.
async fn tutoring(store: &Store) -> anyhow::Result<()> {
    let year = i64::from(AcademicYear::containing(chrono::Utc::now().date_naive()).start_year());
    // The tutoring demo may already have made the demo student and tutor a tutee and tutor of
    // record (matched by email); then their profile and request go on those records.
    let (student_id, tutor_id) = match store.tutoring_student_by_email(&email("student")).await? {
        Some(me) => {
            if !store.change_requests_of(me.id).await?.is_empty() {
                return Ok(());
            }
            let Some(tutor) = store.tutor_of_record(me.id, year).await? else {
                return Ok(());
            };
            (me.id, tutor.id)
        }
        None => {
            let Some(law) = store.schools().await?.into_iter().find(|s| s.code == "LAW") else {
                return Ok(());
            };
            let (Some(student), Some(tutor)) = (
                store
                    .tutoring_students_of_school(law.id)
                    .await?
                    .into_iter()
                    .next(),
                store
                    .school_tutor_capacities(law.id, year)
                    .await?
                    .into_iter()
                    .find(|t| t.has_room()),
            ) else {
                return Ok(());
            };
            store
                .give_tutoring_record(
                    true,
                    student.id,
                    "Jordan Baptiste",
                    &email("student"),
                    user_id(store, "student").await?,
                )
                .await?;
            store
                .give_tutoring_record(
                    false,
                    tutor.id,
                    "Dr Leila Haddad",
                    &email("tutor"),
                    user_id(store, "tutor").await?,
                )
                .await?;
            store
                .assign_tutor(student.id, tutor.id, year, "allocation")
                .await?;
            (student.id, tutor.id)
        }
    };
    store
        .save_tutoring_profile(
            student_id,
            &TutoringProfile {
                goals: "A training contract with a regional firm by the end of my third year."
                    .into(),
                goals_shared: true,
                success: "Keeping a 2:1 while working two evenings a week.".into(),
                success_shared: false,
                tutor_note: "I work evenings, so daytime meetings suit me best.".into(),
                tutor_note_shared: false,
            },
        )
        .await?;
    store
        .request_tutor_change(
            student_id,
            year,
            tutor_id,
            "I would like a tutor who knows commercial law, the area I want to work in.",
        )
        .await?;
    Ok(())
}

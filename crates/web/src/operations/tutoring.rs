//! Personal tutoring's operations: moving a student in the draft allocation and publishing it,
//! a student's request for a change of tutor and its decision, importing the institution,
//! and linking records to the people they describe.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::mail::messages::{Recipient, RecordUnlinked, TutorChangeDecided, TutorChangeOutcome};
use crate::operations::cycles::Actor;
use crate::page::FormErrors;
use crate::state::AppState;
use flipside_core::cycle::AcademicYear;
use flipside_core::import::Institution;
use flipside_core::policy::{self, TutoringSelf};
use flipside_core::tutoring::{self, MoveRequest};
use flipside_store::{
    ChangeRequest, ImportSummary, NewAuditEntry, RecordKind, SchoolRulesRow, Store, StoreError,
    TutoringPerson,
};

/// What became of a move: done (the words of the confirmation) or refused, field by field.
#[derive(Debug)]
pub enum MoveOutcome {
    Moved(String),
    Refused(FormErrors),
}

/// Moves one student of `year`'s draft to another tutor if the School's rules and the tutor's
/// capacity allow it. The capacity is checked and the student moved in one transaction,
/// under a lock on the tutor (on SQLite the transaction itself is the lock), so two moves
/// into a tutor's last place cannot both succeed.
pub async fn move_student(
    state: &AppState,
    year: AcademicYear,
    student: &str,
    tutor: &str,
) -> Result<MoveOutcome, AppError> {
    let y = year.start_year();
    let mut errors = FormErrors::default();
    let mut tx = state.store.begin().await?;
    let found_tutor = match tx.tutor_by_external_id(tutor).await {
        Ok(t) => Some(t),
        Err(StoreError::NotFound) => {
            errors.add("tutor", format!("There is no tutor '{}'.", tutor.trim()));
            None
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(t) = &found_tutor {
        // Before reading anything the check depends on.
        tx.lock(&format!("tutoring-draft:{y}:tutor:{}", t.id))
            .await?;
    }
    let found_student = match tx.draft_student(y, student).await {
        Ok(s) => Some(s),
        Err(StoreError::NotFound) => {
            errors.add(
                "student",
                format!(
                    "There is no student '{}' in the {year} draft.",
                    student.trim()
                ),
            );
            None
        }
        Err(e) => return Err(e.into()),
    };
    let (Some(s), Some(t)) = (found_student, found_tutor) else {
        return Ok(MoveOutcome::Refused(errors));
    };
    let rules = tx
        .tutoring_school_rules()
        .await?
        .iter()
        .find(|r| r.school_id == s.school_id)
        .map(SchoolRulesRow::rules)
        .unwrap_or_default();
    let load = if s.draft_tutor == Some(t.id) {
        // Already theirs: moving to the same tutor takes no extra place.
        0
    } else {
        tx.draft_tutor_load(y, t.id).await?
    };
    let name = format!("{} ({})", t.name, t.external_id);
    let request = MoveRequest {
        student_school: s.school_id,
        last_tutor: s.last_tutor,
        tutor_id: t.id,
        tutor_name: &name,
        tutor_school: t.school_id,
        tutor_capacity: u32::try_from(t.capacity).unwrap_or(0),
        tutor_load: u32::try_from(load).unwrap_or(u32::MAX),
    };
    if let Err(refused) = tutoring::check_move(&request, &rules) {
        errors.add("tutor", format!("Not moved: {refused}."));
        return Ok(MoveOutcome::Refused(errors));
    }
    tx.move_in_draft(y, s.student_id, t.id).await?;
    tx.commit().await?;
    Ok(MoveOutcome::Moved(format!(
        "{} ({}) moved to {name} in the draft.",
        s.name,
        student.trim()
    )))
}

/// After a bulk write (tens of thousands of rows may have arrived), the query planner's
/// statistics follow the data. The write is committed whatever happens here: a failure is
/// logged, never reported as the operation's.
async fn refresh_statistics(store: &Store) {
    if let Err(e) = store.optimize().await {
        tracing::warn!(error = %e, "refreshing the query planner's statistics failed");
    }
}

/// Runs the exact allocation of `year` from the stored institution and the Schools' rules,
/// and keeps it as the year's draft (replacing any earlier draft; nothing is published).
/// Returns how many students the draft holds.
pub async fn run_allocation(
    state: &AppState,
    run_by: i64,
    year: AcademicYear,
) -> Result<usize, AppError> {
    let (students, tutors) = state.store.allocation_input(year.start_year()).await?;
    let rules: std::collections::HashMap<i64, tutoring::SchoolRules> = state
        .store
        .tutoring_school_rules()
        .await?
        .iter()
        .map(|r| (r.school_id, r.rules()))
        .collect();
    // An institution is tens of thousands of students: solve off the async workers.
    let proposals = tokio::task::spawn_blocking(move || {
        tutoring::allocate_institution(&students, &tutors, &rules)
    })
    .await
    .map_err(AppError::internal)?;
    state
        .store
        .save_allocation_draft(year.start_year(), &proposals, Some(run_by))
        .await?;
    Ok(proposals.len())
}

/// Publishes `year`'s draft as the year's assignments, with its audit entry, in one
/// transaction. Returns how many assignments were written.
pub async fn publish_allocation(
    state: &AppState,
    actor: Actor<'_>,
    year: AcademicYear,
) -> Result<u64, AppError> {
    let mut tx = state.store.begin().await?;
    let written = match tx.publish_allocation(year.start_year()).await {
        Ok(n) => n,
        Err(StoreError::NotFound) => {
            return Err(AppError::Conflict(format!(
                "There is no allocation for {year} to publish: run one first."
            )));
        }
        Err(e) => return Err(e.into()),
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "tutoring_allocation_published",
        subject_kind: "organisation",
        subject_id: None,
        detail: &format!("{year}: {written} assignments"),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    refresh_statistics(&state.store).await;
    Ok(written)
}

/// A School lead's decision on a request for a change of tutor.
#[derive(Debug, Clone, Copy)]
pub enum Decision<'a> {
    Approve { tutor_id: i64, tutor_name: &'a str },
    Decline { reason: &'a str },
}

/// A student asks for a change of their tutor of record `from_tutor_id` in `year`: the request
/// and its audit entry, in one transaction (a second pending request is a conflict). The
/// entry does not hold the student's reason, which only they and their School's lead read.
/// Returns the request's id.
pub async fn request_change(
    state: &AppState,
    actor: Actor<'_>,
    student_id: i64,
    year: AcademicYear,
    from_tutor_id: i64,
    reason: &str,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let id = tx
        .request_tutor_change(
            student_id,
            i64::from(year.start_year()),
            from_tutor_id,
            reason,
        )
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "tutor_change_requested",
        subject_kind: "tutor_change_request",
        subject_id: Some(id),
        detail: &format!("student {student_id}, {year}: from tutor {from_tutor_id}"),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Decides a pending request for a change of tutor: the decision (and, approved, the new
/// tutor of record), its audit entry and the email telling the student, in one transaction.
/// The entry names the tutors by id and never holds the decline's reason.
pub async fn decide_change_request(
    state: &AppState,
    actor: Actor<'_>,
    request: &ChangeRequest,
    student: &TutoringPerson,
    decision: Decision<'_>,
) -> Result<(), AppError> {
    let id = request.id;
    let year = AcademicYear::from_start_year(request.academic_year as i32);
    let mut tx = state.store.begin().await?;
    let (outcome, action, detail) = match decision {
        Decision::Approve {
            tutor_id,
            tutor_name,
        } => {
            tx.approve_change_request(id, tutor_id, actor.id).await?;
            (
                TutorChangeOutcome::Approved {
                    new_tutor: tutor_name,
                },
                "tutor_change_approved",
                format!(
                    "student {}, {year}: tutor of record {} → {tutor_id}",
                    request.student_id, request.from_tutor_id
                ),
            )
        }
        Decision::Decline { reason } => {
            tx.decline_change_request(id, reason, actor.id).await?;
            (
                TutorChangeOutcome::Declined { reason },
                "tutor_change_declined",
                format!(
                    "student {}, {year}: tutor of record stays {}",
                    request.student_id, request.from_tutor_id
                ),
            )
        }
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action,
        subject_kind: "tutor_change_request",
        subject_id: Some(id),
        detail: &detail,
        address: actor.address,
    })
    .await?;
    let email = TutorChangeDecided {
        request_id: id,
        year: &year.to_string(),
        outcome,
        link: &state.settings.link("tutoring/change-request"),
    }
    .to(Recipient {
        name: &student.name,
        email: &student.email,
    });
    tx.enqueue_email(&email.as_new()).await?;
    tx.commit().await?;
    Ok(())
}

/// Who the signed-in person is in personal tutoring. First, the records that name the address
/// they signed in with and that no account holds are linked to them, each audited: signing in
/// proves the address (an identity provider's verified email, or a password or sign-in link
/// sent to it), and that is the person's confirmation. The policy refuses the link to anyone
/// who can import records ([`policy::may_link_tutoring_record`]), so an importer cannot make
/// themselves a tutor by putting their own email on a tutor's record.
pub async fn tutoring_self(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
) -> Result<TutoringSelf, AppError> {
    // A page learnt it with the session, with no record waiting to be linked.
    if let Some(me) = crate::request_memo::tutoring_self(user.id()) {
        return Ok(me);
    }
    let candidates = state
        .store
        .unlinked_records_naming(&user.user.email)
        .await?;
    if !candidates.is_empty() && policy::may_link_tutoring_record(&user.actor) {
        let mut tx = state.store.begin().await?;
        for (kind, id) in candidates {
            if tx
                .link_tutoring_record(kind, id, user.id(), &user.user.email)
                .await?
            {
                tx.audit(NewAuditEntry {
                    actor_id: Some(user.id()),
                    action: "tutoring_record_linked",
                    subject_kind: kind.subject_kind(),
                    subject_id: Some(id),
                    detail: "confirmed by signing in with the record's email address",
                    address,
                })
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(state.store.tutoring_self(user.id()).await?)
}

/// Imports an institution (see [`flipside_store::Store::import_institution`]) as one
/// operation: the rows, the audit entry, and for each linked record whose email changed, its
/// unlinking, audited, and an email telling the person, all in one transaction (a dry run
/// rolls everything back). `actor` is `None` from the command line.
pub async fn import_institution(
    store: &Store,
    input: &Institution,
    dry_run: bool,
    actor: Option<i64>,
    address: &str,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<ImportSummary, StoreError> {
    let organisation = store
        .organisation()
        .await?
        .map_or_else(|| "your organisation".into(), |o| o.name);
    let mut tx = store.begin().await?;
    let (mut summary, unlinked) = tx.import_institution(input, progress).await?;
    summary.dry_run = dry_run;
    if dry_run {
        // Dropped, the transaction rolls back: the counts say what a real import would do.
        return Ok(summary);
    }
    let at = flipside_store::now();
    for u in &unlinked {
        tx.audit(NewAuditEntry {
            actor_id: actor,
            action: "tutoring_record_unlinked",
            subject_kind: u.kind.subject_kind(),
            subject_id: Some(u.record_id),
            detail: &format!(
                "the import changed its email; it was linked to user {}",
                u.user_id
            ),
            address,
        })
        .await?;
        let email = RecordUnlinked {
            record: match u.kind {
                RecordKind::Tutor => "tutor",
                RecordKind::Student => "student",
            },
            record_id: u.record_id,
            organisation: &organisation,
            at,
        }
        .to(Recipient {
            name: &u.user_name,
            email: &u.user_email,
        });
        tx.enqueue_email(&email.as_new()).await?;
    }
    tx.audit(NewAuditEntry {
        actor_id: actor,
        action: "tutoring_imported",
        subject_kind: "organisation",
        subject_id: None,
        detail: &format!(
            "schools +{} ~{}, tutors +{} ~{}, students +{} ~{}, assignments +{} ~{}, links undone {}",
            summary.schools.added,
            summary.schools.updated,
            summary.tutors.added,
            summary.tutors.updated,
            summary.students.added,
            summary.students.updated,
            summary.assignments.added,
            summary.assignments.updated,
            unlinked.len()
        ),
        address,
    })
    .await?;
    tx.commit().await?;
    refresh_statistics(store).await;
    Ok(summary)
}

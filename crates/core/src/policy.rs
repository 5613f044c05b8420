//! Who may do what. Every page and API route asks one of these functions; nothing else in
//! flipside decides access. Each function is pure, so the whole role × resource × owner matrix
//! is tested below without a database.
//!
//! The rules follow SPEC §2: admins configure but never read pair-private content; coordinators
//! act within the schemes they run; researchers see only pseudonymised aggregates; private notes
//! are readable by their owner (and a partner they chose to share with) and by nobody else.
use crate::cycle::CycleState;
use crate::qualitative::triangulation::Audience;
use crate::role::{Grant, Role, Scope};

/// The signed-in person asking, with every role they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn new(user_id: i64, grants: Vec<Grant>) -> Actor {
        Actor { user_id, grants }
    }

    /// Holds the role anywhere (in any scope).
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Holds the role organisation-wide.
    pub fn has_org(&self, role: Role) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.scope == Scope::Organisation)
    }

    /// Holds the role organisation-wide or in exactly this scope.
    pub fn has_in(&self, role: Role, scope: Scope) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && (g.scope == Scope::Organisation || g.scope == scope))
    }

    fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// Runs this scheme: an organisation-wide coordinator or one scoped to the scheme.
    pub fn coordinates(&self, scheme_id: i64) -> bool {
        self.has_in(Role::Coordinator, Scope::Scheme(scheme_id))
    }
}

/// What someone wants to do with a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    Create,
    Edit,
}

/// A scheme as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemeRef {
    pub id: i64,
}

/// A cycle as the policy sees it: the scheme it belongs to and whether the actor takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleRef {
    pub id: i64,
    pub scheme_id: i64,
}

/// Organisation settings, faculties, Schools and identity labels.
pub fn organisation(actor: &Actor, action: Action) -> bool {
    match action {
        Action::View => true,
        Action::Create | Action::Edit => actor.is_admin(),
    }
}

/// People and their roles: the same rule for every action.
pub fn people(actor: &Actor, _action: Action) -> bool {
    actor.is_admin()
}

/// Revoking one role grant of `subject_id`: admins, except their own administrator role (the
/// organisation must never be left without one by accident; another administrator does it).
pub fn revoke_grant(actor: &Actor, subject_id: i64, role: Role) -> bool {
    people(actor, Action::Edit) && !(role == Role::Admin && subject_id == actor.user_id)
}

/// One person's own account: anyone may see and edit their own.
pub fn own_account(actor: &Actor, owner_id: i64, action: Action) -> bool {
    match action {
        Action::View | Action::Edit => {
            actor.user_id == owner_id || (actor.is_admin() && action == Action::View)
        }
        Action::Create => actor.is_admin(),
    }
}

/// Schemes. Every signed-in member may read a scheme's name and purpose (that is what an open
/// call advertises); creating one is for admins and organisation-wide coordinators; editing
/// is for whoever coordinates it.
pub fn scheme(actor: &Actor, scheme: Option<SchemeRef>, action: Action) -> bool {
    match (action, scheme) {
        (Action::View, _) => true,
        (Action::Create, _) => actor.is_admin() || actor.has_org(Role::Coordinator),
        (Action::Edit, Some(s)) => actor.coordinates(s.id),
        (Action::Edit, None) => false,
    }
}

/// Cycles. Viewing the cycle's page (state, history, counts) is for its coordinators, admins,
/// researchers, and the people taking part in it; creating and moving it on is for its
/// coordinators.
pub fn cycle(actor: &Actor, cycle: CycleRef, action: Action) -> bool {
    let runs = actor.coordinates(cycle.scheme_id);
    match action {
        Action::View => {
            runs || actor.is_admin()
                || actor.has(Role::Researcher)
                || actor.has_in(Role::Mentor, Scope::Cycle(cycle.id))
                || actor.has_in(Role::Mentee, Scope::Cycle(cycle.id))
        }
        Action::Create | Action::Edit => runs,
    }
}

/// The audit log: admins only (it names who read what).
pub fn audit_log(actor: &Actor) -> bool {
    actor.is_admin()
}

/// A person's own data (issue 13): everyone signed in may download everything held on them.
pub fn own_personal_data(_actor: &Actor) -> bool {
    true
}

/// A consent (issue 13): only the person who gave it sees it on their consents page and gives
/// or withdraws it; nobody withdraws a consent on another's behalf, administrators included.
pub fn own_consent(actor: &Actor, giver_id: i64) -> bool {
    actor.user_id == giver_id
}

/// Personal-data administration (issue 13): the registry with its retention settings, the
/// retention dry run, and erasing a person. Administrators only: erasure is irreversible and
/// the dry run names what every person's data is.
pub fn personal_data_admin(actor: &Actor) -> bool {
    actor.is_admin()
}

/// The outbox's delivery log (recipients, subjects, states; never the bodies, which can carry
/// single-use links): administrators, who run the email service.
pub fn email_log(actor: &Actor) -> bool {
    actor.is_admin()
}

/// Webhook subscriptions (issue 16): adding, pausing and deleting them and reading their
/// deliveries. Administrators only: a subscription sends the organisation's events to another
/// system, and its secret signs them.
pub fn webhooks(actor: &Actor) -> bool {
    actor.is_admin()
}

/// A private note in a pair. Readable by its author, and by the partner it was shared with;
/// nobody else, whatever their roles: admins and coordinators included.
pub fn private_note(
    actor: &Actor,
    author_id: i64,
    shared_with: Option<i64>,
    action: Action,
) -> bool {
    match action {
        Action::View => actor.user_id == author_id || shared_with == Some(actor.user_id),
        Action::Create | Action::Edit => actor.user_id == author_id,
    }
}

/// A person's self-identification (special-category data). The person themselves may always
/// see and edit it; a coordinator of the scheme they applied to may view it to review the
/// application. Every allowed view by someone other than the subject must be audited by the
/// caller.
pub fn identity(
    actor: &Actor,
    subject_id: i64,
    applied_to_scheme: Option<i64>,
    action: Action,
) -> bool {
    if actor.user_id == subject_id {
        return true;
    }
    match action {
        Action::View => applied_to_scheme.is_some_and(|s| actor.coordinates(s)),
        Action::Create | Action::Edit => false,
    }
}

/// Applying to a cycle's open call (and reading the call): any signed-in person, while the
/// cycle is recruiting.
pub fn apply(_actor: &Actor, cycle_state: CycleState) -> bool {
    cycle_state == CycleState::Recruiting
}

/// Whether open calls for student mentors are offered to this person (the home page, issue
/// 14): students, whether tutees, Student APT Leads or student mentors of a cycle. Staff
/// leaders are invited by a coordinator, never by open call (SPEC §1), and the call is not
/// offered to staff in any other role either.
pub fn offered_student_calls(actor: &Actor) -> bool {
    actor.has(Role::Student) || actor.has(Role::StudentLead) || actor.has(Role::Mentor)
}

/// The schemes list in the navigation: whoever takes part in reverse mentoring in some way
/// (runs it, administers it, evaluates it, is a mentor or a mentee) and students who may
/// answer its calls. Tutors and School leads, whose work is personal tutoring, are not sent
/// there (the list stays readable to every member who asks for it, see [`scheme`]).
pub fn schemes_in_navigation(actor: &Actor) -> bool {
    actor.is_admin()
        || actor.has(Role::Coordinator)
        || actor.has(Role::Researcher)
        || actor.has(Role::Mentee)
        || offered_student_calls(actor)
}

/// Whether the person evaluates some scheme (researchers): the home page points them to the
/// cycles whose results, chats and codes they read.
pub fn evaluates_schemes(actor: &Actor) -> bool {
    actor.has(Role::Researcher)
}

/// One person's application to a cycle of `scheme_id`. The applicant may see it and change
/// it (edit it, withdraw consents); the scheme's coordinators may see it to review it. Nobody
/// else: not other students, not mentors, not admins without a coordinator role.
pub fn application(actor: &Actor, applicant_id: i64, scheme_id: i64, action: Action) -> bool {
    match action {
        Action::View => actor.user_id == applicant_id || actor.coordinates(scheme_id),
        Action::Create | Action::Edit => actor.user_id == applicant_id,
    }
}

/// Listing a cycle's applications, deciding them, and the pool's composition: the scheme's
/// coordinators.
pub fn review_applications(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
}

/// Inviting staff leaders to a cycle of `scheme_id`, and seeing and resending the
/// invitations: the scheme's coordinators.
pub fn invite_staff(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
}

/// Answering a staff invitation: whoever holds the link's token, signed in or not (the token
/// is the credential, sent only to the invitee's email address).
pub fn answer_invitation(holds_token: bool) -> bool {
    holds_token
}

/// Matching a cycle of `scheme_id` (weights, do-not-pair rules, preview, hand edits,
/// publishing) and managing its pairs (the list, ending a pair early, re-matching): the
/// scheme's coordinators. Admins configure, they do not match.
pub fn match_pairs(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
}

/// Importing an institution's Schools, tutors and students (SPEC §3.10): it changes records
/// across every School, so admins and organisation-wide coordinators only.
pub fn tutoring_import(actor: &Actor) -> bool {
    actor.is_admin() || actor.has_org(Role::Coordinator)
}

/// Who a signed-in person is in personal tutoring: the tutor and student records linked to
/// their account (tutoring records come from the record system; a record is linked when the
/// person confirms it, see [`may_link_tutoring_record`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TutoringSelf {
    pub tutor_id: Option<i64>,
    pub student_id: Option<i64>,
}

/// Whether a tutor or student record naming this person's proven email may be linked to their
/// account. Never for someone who can import records (an administrator or an organisation-wide
/// coordinator): an import that puts their own email on a tutor's record must not make them
/// that tutor, and so a reader of the tutor's tutees' notes. A scheme's or a School's
/// coordinator cannot import, and is often a personal tutor too: they are linked as anyone is.
pub fn may_link_tutoring_record(actor: &Actor) -> bool {
    !tutoring_import(actor)
}

/// Running an allocation, adjusting and publishing it, and setting Schools' tutoring rules:
/// organisation-wide coordinators (it changes every School's assignments).
pub fn tutoring_allocation(actor: &Actor) -> bool {
    actor.has_org(Role::Coordinator)
}

/// A student's tutoring record (their tutor in every year): organisation-wide coordinators,
/// the student themselves, and their tutor this year. Not admins, not School leads (they see
/// aggregates), not other tutors.
pub fn tutoring_record(
    actor: &Actor,
    me: TutoringSelf,
    student_id: i64,
    current_tutor: Option<i64>,
) -> bool {
    actor.has_org(Role::Coordinator)
        || me.student_id == Some(student_id)
        || (me.tutor_id.is_some() && me.tutor_id == current_tutor)
}

/// One logged contact, with its note: its tutor and its student, and nobody else, whatever
/// their roles (coordinators and admins included). Logging one follows the same rule; the
/// handler also checks that the student is the tutor's tutee this year.
pub fn tutoring_contact(me: TutoringSelf, tutor_id: i64, student_id: i64) -> bool {
    me.tutor_id == Some(tutor_id) || me.student_id == Some(student_id)
}

/// A tutor's own list of tutees: anyone whose email is a tutor's.
pub fn tutees(me: TutoringSelf) -> bool {
    me.tutor_id.is_some()
}

/// The tutoring consistency dashboard, aggregate and suppressed only. `None`: the
/// institution's figures (admins, organisation-wide coordinators, Student APT Leads); a
/// School's figures: those and the School's lead.
pub fn tutoring_dashboard(actor: &Actor, school: Option<i64>) -> bool {
    actor.is_admin()
        || actor.has_org(Role::Coordinator)
        || actor.has(Role::StudentLead)
        || school.is_some_and(|s| actor.has_in(Role::SchoolLead, Scope::School(s)))
}

/// The tutoring dashboard with at least one School's figures (the navigation's link): whoever
/// sees the institution's, and every School lead (their grant names a School, whose figures
/// they see).
pub fn tutoring_dashboard_of_some_school(actor: &Actor) -> bool {
    tutoring_dashboard(actor, None) || actor.has(Role::SchoolLead)
}

/// Aggregate, suppressed results (response rates, survey analysis, dashboards).
pub fn aggregate_results(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
        || actor.has_in(Role::Researcher, Scope::Scheme(scheme_id))
        || actor.is_admin()
}

/// What an annual report is about, as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSubject {
    /// One cycle of this scheme.
    Cycle { scheme_id: i64 },
    /// The organisation's academic year, across every scheme.
    Year,
}

/// The annual report (SPEC §3.9): writing its introduction and recommendations, previewing it,
/// publishing versions and downloading them. A cycle's report is for the coordinators of its
/// scheme; the organisation's year, which spans every scheme, for organisation-wide
/// coordinators and admins.
pub fn annual_report(actor: &Actor, subject: ReportSubject) -> bool {
    match subject {
        ReportSubject::Cycle { scheme_id } => actor.coordinates(scheme_id),
        ReportSubject::Year => actor.has_org(Role::Coordinator) || actor.is_admin(),
    }
}

/// Design sprints (SPEC §3.11): every signed-in member of the organisation, staff and
/// students alike, may read them, add items in the current stage, comment and support.
pub fn sprint_contribute(_actor: &Actor) -> bool {
    true
}

/// Running a sprint (creating it, promoting items, moving its stage on, closing it): Student
/// APT Leads and organisation-wide coordinators.
pub fn sprint_run(actor: &Actor) -> bool {
    actor.has(Role::StudentLead) || actor.has_org(Role::Coordinator)
}

/// Deciding a proposal of a sprint in a faculty whose Schools are `faculty_schools`, and
/// keeping its implementation status: organisation-wide coordinators, admins, and the School
/// lead of a School in that faculty.
pub fn sprint_decide(actor: &Actor, faculty_schools: &[i64]) -> bool {
    actor.is_admin()
        || actor.has_org(Role::Coordinator)
        || faculty_schools
            .iter()
            .any(|s| actor.has_in(Role::SchoolLead, Scope::School(*s)))
}

/// A tutoring student as the policy sees them: who they are and their tutor of record in the
/// current academic year (from the imported records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TuteeRef {
    pub student_id: i64,
    pub tutor_of_record: Option<i64>,
}

impl TuteeRef {
    fn is(&self, me: TutoringSelf) -> bool {
        me.student_id == Some(self.student_id)
    }

    fn is_tutor_of_record(&self, me: TutoringSelf) -> bool {
        me.tutor_id.is_some() && me.tutor_id == self.tutor_of_record
    }
}

/// A tutoring student's own profile (SPEC §3.10). The student reads and edits it; their tutor
/// of record this year reads the fields the student chose to share (the caller filters them);
/// nobody else, whatever their roles: admins, coordinators and School leads included.
pub fn student_profile(me: TutoringSelf, tutee: TuteeRef, action: Action) -> bool {
    match action {
        Action::View => tutee.is(me) || tutee.is_tutor_of_record(me),
        Action::Create | Action::Edit => tutee.is(me),
    }
}

/// One's own tutoring profile and one's own tutoring record (the navigation's links): anyone
/// whose email is a tutoring student's.
pub fn own_tutoring_profile(me: TutoringSelf) -> bool {
    me.student_id.is_some()
}

/// The form for logging a tutoring contact: tutors and tutoring students.
pub fn log_contacts(me: TutoringSelf) -> bool {
    me.tutor_id.is_some() || me.student_id.is_some()
}

/// Logging a contact about one student: the student themselves or their tutor of record this
/// year, and only while the student has one (a contact is between the two of them).
pub fn log_contact_with(me: TutoringSelf, tutee: TuteeRef) -> bool {
    tutee.tutor_of_record.is_some() && (tutee.is(me) || tutee.is_tutor_of_record(me))
}

/// Asking for a change of tutor: the student themselves.
pub fn request_tutor_change(me: TutoringSelf, student_id: i64) -> bool {
    me.student_id == Some(student_id)
}

/// Seeing and deciding requests for a change of tutor of students of a School: that School's
/// lead (or an organisation-wide one).
pub fn decide_tutor_change(actor: &Actor, school_id: i64) -> bool {
    actor.has_in(Role::SchoolLead, Scope::School(school_id))
}

/// The list of pending requests: anyone who leads a School (it shows only their Schools').
pub fn tutor_change_queue(actor: &Actor) -> bool {
    actor.has(Role::SchoolLead)
}

/// A reverse-mentoring pair as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairRef {
    pub mentor_id: i64,
    pub mentee_id: i64,
    pub scheme_id: i64,
}

impl PairRef {
    fn has_member(&self, user_id: i64) -> bool {
        self.mentor_id == user_id || self.mentee_id == user_id
    }
}

/// A pair's own page and everything done on it (agreement, meetings, notes, concerns,
/// raising actions): its two members only. Coordinators see hours in aggregate instead
/// ([`pair_hours`]); admins never see pair content.
pub fn pair(actor: &Actor, pair: PairRef, _action: Action) -> bool {
    pair.has_member(actor.user_id)
}

/// Confirming or declining a proposed meeting: the pair's member who did not propose it (a
/// proposal is agreed by the partner, never by its proposer).
pub fn respond_to_meeting(actor: &Actor, pair: PairRef, proposed_by: i64) -> bool {
    pair.has_member(actor.user_id) && actor.user_id != proposed_by
}

/// Hours met per pair against the target, with no content: the scheme's coordinators.
pub fn pair_hours(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
}

/// Concerns raised by a scheme's participants: the scheme's coordinators, who are the ones
/// the concern is addressed to.
pub fn concerns(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
}

/// Moving an action on (accept, start, finish, decline) and attaching evidence: its owner.
pub fn action_owner(actor: &Actor, owner_id: i64) -> bool {
    actor.user_id == owner_id
}

/// Whether the name of an action's raiser may be shown: always, unless they raised it
/// anonymously, when only they see it.
pub fn action_raiser_name(actor: &Actor, raiser_id: i64, anonymous: bool) -> bool {
    !anonymous || actor.user_id == raiser_id
}

/// The scheme's "you said, we did" page: its coordinators and everyone taking part in it
/// (a mentor or mentee of one of its cycles, or a member of one of its pairs).
pub fn you_said_we_did(
    actor: &Actor,
    scheme_id: i64,
    scheme_cycles: &[i64],
    in_a_pair: bool,
) -> bool {
    actor.coordinates(scheme_id)
        || in_a_pair
        || scheme_cycles.iter().any(|c| {
            actor.has_in(Role::Mentor, Scope::Cycle(*c))
                || actor.has_in(Role::Mentee, Scope::Cycle(*c))
        })
}

/// Answering a survey (and reading one's own draft): only the person enrolled under that
/// participant code. Nobody answers for someone else, whatever their roles.
pub fn take_survey(actor: &Actor, participant_user_id: Option<i64>) -> bool {
    participant_user_id == Some(actor.user_id)
}

/// Setting a cycle's survey wave dates and sending its invitations and reminders: the
/// scheme's coordinators.
pub fn manage_surveys(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
}

/// Editing an instrument's scale labels: instruments are shared by every scheme, so admins and
/// organisation-wide coordinators.
pub fn edit_instruments(actor: &Actor) -> bool {
    actor.is_admin() || actor.has_org(Role::Coordinator)
}

/// A cycle's survey statements (issue 11). The scheme's research team and those who keep the
/// instruments' scale labels (admins, organisation-wide coordinators) read them; the scheme's
/// coordinators and admins add, reword and retire them (while the rules allow: before the first
/// wave opens).
pub fn cycle_instrument(actor: &Actor, scheme_id: i64, action: Action) -> bool {
    match action {
        Action::View => research_team(actor, scheme_id) || edit_instruments(actor),
        Action::Create | Action::Edit => actor.coordinates(scheme_id) || edit_instruments(actor),
    }
}

/// Downloading a cycle's pseudonymised answers of consenting participants (SPEC §2): researchers
/// and the scheme's coordinators. Not admins: configuring the system is not analysing it.
pub fn research_export(actor: &Actor, scheme_id: i64) -> bool {
    actor.has_in(Role::Researcher, Scope::Scheme(scheme_id)) || actor.coordinates(scheme_id)
}

/// A cycle's reflective chats (issue 11): who reads one, and who records one. The cycle's
/// coordinators and the researchers with access to its scheme read and record them; the
/// participant reads their own. Admins without a research role see none: configuring the system
/// is not analysing it.
pub fn chat(actor: &Actor, scheme_id: i64, participant_id: i64, action: Action) -> bool {
    let team = research_team(actor, scheme_id);
    match action {
        Action::View => team || actor.user_id == participant_id,
        Action::Create | Action::Edit => team,
    }
}

/// The scheme's research team: its coordinators and researchers scoped to it (or to the
/// whole organisation).
fn research_team(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id) || actor.has_in(Role::Researcher, Scope::Scheme(scheme_id))
}

/// Coding chats and reading excerpts, codes and agreement: the research team of the scheme.
pub fn code_chats(actor: &Actor, scheme_id: i64) -> bool {
    research_team(actor, scheme_id)
}

/// A scheme's codebook (issue 11): reading it, adding, editing, merging and importing codes,
/// and downloading it as REFI-QDA. The research team, as for coding: the codebook is their
/// working instrument. Admins without a research role see none of it.
pub fn codebook(actor: &Actor, scheme_id: i64, _action: Action) -> bool {
    research_team(actor, scheme_id)
}

/// Who sees a cycle's code frequencies, and how. The research team sees them as counted (they
/// read the excerpts anyway); anyone else who sees the cycle's aggregate results (admins) sees
/// them under the organisation's disclosure rule, like every other figure about people; nobody
/// else sees them.
pub fn code_frequencies(actor: &Actor, scheme_id: i64) -> Option<Audience> {
    if research_team(actor, scheme_id) {
        Some(Audience::ResearchTeam)
    } else if aggregate_results(actor, scheme_id) {
        Some(Audience::Outside)
    } else {
        None
    }
}

/// Downloading a cycle's coding (the REFI-QDA project, the excerpts CSV): the research team.
/// Unlike the survey answers these carry participants' own words, so the rule is the chats'.
pub fn qualitative_export(actor: &Actor, scheme_id: i64) -> bool {
    research_team(actor, scheme_id)
}

/// The quote bank: reading it is for the research team; promoting, trimming and removing
/// quotes and writing the finding per aim is for the scheme's coordinators.
pub fn quotes(actor: &Actor, scheme_id: i64, action: Action) -> bool {
    match action {
        Action::View => research_team(actor, scheme_id),
        Action::Create | Action::Edit => actor.coordinates(scheme_id),
    }
}

/// A scheme's aims and which aim each survey statement evidences (issue 11): the research team
/// reads them (the triangulation pages are built on them); the scheme's coordinators change
/// them.
pub fn aims(actor: &Actor, scheme_id: i64, action: Action) -> bool {
    match action {
        Action::View => research_team(actor, scheme_id),
        Action::Create | Action::Edit => actor.coordinates(scheme_id),
    }
}

/// A chat can be recorded only with a participant whose research consent stands.
pub fn can_record_chat(research_consent: bool) -> bool {
    research_consent
}

/// A cycle's list of chats with their coding progress: the scheme's research team.
pub fn chat_list(actor: &Actor, scheme_id: i64) -> bool {
    research_team(actor, scheme_id)
}

/// Removing an excerpt: only the coder who made it, while they code for the scheme (each coder
/// codes independently; nobody edits another's coding).
pub fn remove_excerpt(actor: &Actor, scheme_id: i64, coder_id: i64) -> bool {
    code_chats(actor, scheme_id) && actor.user_id == coder_id
}

/// Asking for a passage of a chat to be removed: the participant of that chat, and nobody on
/// their behalf.
pub fn request_chat_removal(actor: &Actor, participant_id: i64) -> bool {
    actor.user_id == participant_id
}

/// Accepting or declining a participant's request to remove a passage: the cycle's
/// coordinators (a researcher reads and codes but does not change the record).
pub fn decide_chat_removal(actor: &Actor, scheme_id: i64) -> bool {
    actor.coordinates(scheme_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: i64 = 10;
    const OTHER: i64 = 20;
    const SCHEME: i64 = 1;
    const OTHER_SCHEME: i64 = 2;
    const CYCLE: i64 = 5;

    const TUTEE: TuteeRef = TuteeRef {
        student_id: 7,
        tutor_of_record: Some(8),
    };

    fn as_student() -> TutoringSelf {
        TutoringSelf {
            tutor_id: None,
            student_id: Some(7),
        }
    }

    fn as_tutor(id: i64) -> TutoringSelf {
        TutoringSelf {
            tutor_id: Some(id),
            student_id: None,
        }
    }

    #[test]
    fn only_people_who_cannot_import_are_linked_to_tutoring_records() {
        for (name, actor) in actors() {
            let importer = actor.is_admin() || actor.has_org(Role::Coordinator);
            assert_eq!(may_link_tutoring_record(&actor), !importer, "{name}");
        }
    }

    /// One actor per role, with the scopes that role normally has.
    fn actors() -> Vec<(&'static str, Actor)> {
        let g = |role, scope| Grant { role, scope };
        vec![
            ("nobody", Actor::new(ME, vec![])),
            (
                "admin",
                Actor::new(ME, vec![g(Role::Admin, Scope::Organisation)]),
            ),
            (
                "org coordinator",
                Actor::new(ME, vec![g(Role::Coordinator, Scope::Organisation)]),
            ),
            (
                "scheme coordinator",
                Actor::new(ME, vec![g(Role::Coordinator, Scope::Scheme(SCHEME))]),
            ),
            (
                "other scheme coordinator",
                Actor::new(ME, vec![g(Role::Coordinator, Scope::Scheme(OTHER_SCHEME))]),
            ),
            (
                "mentor in cycle",
                Actor::new(ME, vec![g(Role::Mentor, Scope::Cycle(CYCLE))]),
            ),
            (
                "mentee in cycle",
                Actor::new(ME, vec![g(Role::Mentee, Scope::Cycle(CYCLE))]),
            ),
            (
                "mentor elsewhere",
                Actor::new(ME, vec![g(Role::Mentor, Scope::Cycle(99))]),
            ),
            (
                "tutor",
                Actor::new(ME, vec![g(Role::Tutor, Scope::Organisation)]),
            ),
            (
                "student",
                Actor::new(ME, vec![g(Role::Student, Scope::Organisation)]),
            ),
            (
                "student lead",
                Actor::new(ME, vec![g(Role::StudentLead, Scope::Organisation)]),
            ),
            (
                "researcher",
                Actor::new(ME, vec![g(Role::Researcher, Scope::Organisation)]),
            ),
            (
                "school lead",
                Actor::new(ME, vec![g(Role::SchoolLead, Scope::School(3))]),
            ),
        ]
    }

    /// The expected answer for every (actor, resource, action, owner) combination, written out
    /// as a table so that a changed rule shows up as a changed row.
    #[test]
    fn the_access_matrix_holds_for_every_role() {
        type Check = fn(&Actor) -> bool;
        let checks: Vec<(&str, Check, &[&str])> = vec![
            (
                "edit organisation",
                |a| organisation(a, Action::Edit),
                &["admin"],
            ),
            ("manage people", |a| people(a, Action::Edit), &["admin"]),
            ("view people", |a| people(a, Action::View), &["admin"]),
            (
                "create scheme",
                |a| scheme(a, None, Action::Create),
                &["admin", "org coordinator"],
            ),
            (
                "edit scheme 1",
                |a| scheme(a, Some(SchemeRef { id: SCHEME }), Action::Edit),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "view cycle",
                |a| {
                    cycle(
                        a,
                        CycleRef {
                            id: CYCLE,
                            scheme_id: SCHEME,
                        },
                        Action::View,
                    )
                },
                &[
                    "admin",
                    "org coordinator",
                    "scheme coordinator",
                    "mentor in cycle",
                    "mentee in cycle",
                    "researcher",
                ],
            ),
            (
                "move cycle on",
                |a| {
                    cycle(
                        a,
                        CycleRef {
                            id: CYCLE,
                            scheme_id: SCHEME,
                        },
                        Action::Edit,
                    )
                },
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "create cycle",
                |a| {
                    cycle(
                        a,
                        CycleRef {
                            id: 0,
                            scheme_id: SCHEME,
                        },
                        Action::Create,
                    )
                },
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "annual report of a cycle of scheme 1",
                |a| annual_report(a, ReportSubject::Cycle { scheme_id: SCHEME }),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "annual report of the year",
                |a| annual_report(a, ReportSubject::Year),
                &["admin", "org coordinator"],
            ),
            ("audit log", audit_log, &["admin"]),
            (
                "offered student calls",
                offered_student_calls,
                &[
                    "mentor in cycle",
                    "mentor elsewhere",
                    "student",
                    "student lead",
                ],
            ),
            (
                "schemes in the navigation",
                schemes_in_navigation,
                &[
                    "admin",
                    "org coordinator",
                    "scheme coordinator",
                    "other scheme coordinator",
                    "mentor in cycle",
                    "mentee in cycle",
                    "mentor elsewhere",
                    "student",
                    "student lead",
                    "researcher",
                ],
            ),
            ("evaluates schemes", evaluates_schemes, &["researcher"]),
            ("email delivery log", email_log, &["admin"]),
            ("webhook subscriptions", webhooks, &["admin"]),
            ("download own personal data", own_personal_data, &["*"]),
            (
                "personal data administration",
                personal_data_admin,
                &["admin"],
            ),
            (
                "import an institution",
                tutoring_import,
                &["admin", "org coordinator"],
            ),
            (
                "read own private note",
                |a| private_note(a, ME, None, Action::View),
                &["*"],
            ),
            (
                "read another's private note",
                |a| private_note(a, OTHER, None, Action::View),
                &[],
            ),
            (
                "read a partner's shared note",
                |a| private_note(a, OTHER, Some(ME), Action::View),
                &["*"],
            ),
            (
                "edit a partner's shared note",
                |a| private_note(a, OTHER, Some(ME), Action::Edit),
                &[],
            ),
            (
                "view own identity",
                |a| identity(a, ME, None, Action::View),
                &["*"],
            ),
            (
                "view an applicant's identity",
                |a| identity(a, OTHER, Some(SCHEME), Action::View),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "view a non-applicant's identity",
                |a| identity(a, OTHER, None, Action::View),
                &[],
            ),
            (
                "edit another's identity",
                |a| identity(a, OTHER, Some(SCHEME), Action::Edit),
                &[],
            ),
            (
                "aggregate results",
                |a| aggregate_results(a, SCHEME),
                &[
                    "admin",
                    "org coordinator",
                    "scheme coordinator",
                    "researcher",
                ],
            ),
            (
                "view own account",
                |a| own_account(a, ME, Action::View),
                &["*"],
            ),
            (
                "view another's account",
                |a| own_account(a, OTHER, Action::View),
                &["admin"],
            ),
            (
                "edit another's account",
                |a| own_account(a, OTHER, Action::Edit),
                &[],
            ),
            (
                "apply while recruiting",
                |a| apply(a, CycleState::Recruiting),
                &["*"],
            ),
            (
                "apply when not recruiting",
                |a| apply(a, CycleState::Matching),
                &[],
            ),
            (
                "revoke another's admin role",
                |a| revoke_grant(a, OTHER, Role::Admin),
                &["admin"],
            ),
            (
                "revoke another's coordinator role",
                |a| revoke_grant(a, OTHER, Role::Coordinator),
                &["admin"],
            ),
            (
                "revoke one's own admin role",
                |a| revoke_grant(a, ME, Role::Admin),
                &[],
            ),
            (
                "revoke one's own coordinator role",
                |a| revoke_grant(a, ME, Role::Coordinator),
                &["admin"],
            ),
            (
                "respond to a meeting one's partner proposed",
                |a| {
                    respond_to_meeting(
                        a,
                        PairRef {
                            mentor_id: ME,
                            mentee_id: OTHER,
                            scheme_id: SCHEME,
                        },
                        OTHER,
                    )
                },
                &["*"],
            ),
            (
                "respond to a meeting one proposed",
                |a| {
                    respond_to_meeting(
                        a,
                        PairRef {
                            mentor_id: ME,
                            mentee_id: OTHER,
                            scheme_id: SCHEME,
                        },
                        ME,
                    )
                },
                &[],
            ),
            (
                "respond to a meeting of someone else's pair",
                |a| {
                    respond_to_meeting(
                        a,
                        PairRef {
                            mentor_id: OTHER,
                            mentee_id: 30,
                            scheme_id: SCHEME,
                        },
                        30,
                    )
                },
                &[],
            ),
            (
                "view own application",
                |a| application(a, ME, SCHEME, Action::View),
                &["*"],
            ),
            (
                "withdraw consent on own application",
                |a| application(a, ME, SCHEME, Action::Edit),
                &["*"],
            ),
            (
                "view another's application",
                |a| application(a, OTHER, SCHEME, Action::View),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "change another's application",
                |a| application(a, OTHER, SCHEME, Action::Edit),
                &[],
            ),
            (
                "review and decide applications",
                |a| review_applications(a, SCHEME),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "invite staff to a cycle of scheme 1",
                |a| invite_staff(a, SCHEME),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "match and manage pairs of scheme 1",
                |a| match_pairs(a, SCHEME),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "answer an invitation holding its token",
                |_| answer_invitation(true),
                &["*"],
            ),
            (
                "answer an invitation without its token",
                |_| answer_invitation(false),
                &[],
            ),
            (
                "a pair's page, as its mentor",
                |a| {
                    pair(
                        a,
                        PairRef {
                            mentor_id: ME,
                            mentee_id: OTHER,
                            scheme_id: SCHEME,
                        },
                        Action::View,
                    )
                },
                &["*"],
            ),
            (
                "a pair's page, as neither member",
                |a| {
                    pair(
                        a,
                        PairRef {
                            mentor_id: OTHER,
                            mentee_id: 30,
                            scheme_id: SCHEME,
                        },
                        Action::View,
                    )
                },
                &[],
            ),
            (
                "raise a concern in another pair",
                |a| {
                    pair(
                        a,
                        PairRef {
                            mentor_id: OTHER,
                            mentee_id: 30,
                            scheme_id: SCHEME,
                        },
                        Action::Create,
                    )
                },
                &[],
            ),
            (
                "hours per pair of scheme 1",
                |a| pair_hours(a, SCHEME),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "concerns of scheme 1",
                |a| concerns(a, SCHEME),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "move on an action one owns",
                |a| action_owner(a, ME),
                &["*"],
            ),
            ("move on another's action", |a| action_owner(a, OTHER), &[]),
            (
                "see the name of an anonymous raiser",
                |a| action_raiser_name(a, OTHER, true),
                &[],
            ),
            (
                "see one's own name on an anonymous action",
                |a| action_raiser_name(a, ME, true),
                &["*"],
            ),
            (
                "see the name of an attributed raiser",
                |a| action_raiser_name(a, OTHER, false),
                &["*"],
            ),
            (
                "you said, we did of scheme 1",
                |a| you_said_we_did(a, SCHEME, &[CYCLE], false),
                &[
                    "org coordinator",
                    "scheme coordinator",
                    "mentor in cycle",
                    "mentee in cycle",
                ],
            ),
            (
                "you said, we did as a member of one of its pairs",
                |a| you_said_we_did(a, SCHEME, &[CYCLE], true),
                &["*"],
            ),
            (
                "run a tutoring allocation",
                tutoring_allocation,
                &["org coordinator"],
            ),
            (
                "view a student's tutoring record (not theirs)",
                |a| tutoring_record(a, TutoringSelf::default(), 7, Some(8)),
                &["org coordinator"],
            ),
            (
                "view own tutoring record",
                |a| {
                    let me = TutoringSelf {
                        tutor_id: None,
                        student_id: Some(7),
                    };
                    tutoring_record(a, me, 7, Some(8))
                },
                &["*"],
            ),
            (
                "view a tutee's tutoring record as their tutor",
                |a| {
                    let me = TutoringSelf {
                        tutor_id: Some(8),
                        student_id: None,
                    };
                    tutoring_record(a, me, 7, Some(8))
                },
                &["*"],
            ),
            (
                "read a contact note of someone else's tutee",
                |_| {
                    let me = TutoringSelf {
                        tutor_id: Some(9),
                        student_id: None,
                    };
                    tutoring_contact(me, 8, 7)
                },
                &[],
            ),
            (
                "read a contact note without being its tutor or student",
                |_| tutoring_contact(TutoringSelf::default(), 8, 7),
                &[],
            ),
            (
                "institution tutoring dashboard",
                |a| tutoring_dashboard(a, None),
                &["admin", "org coordinator", "student lead"],
            ),
            (
                "School 3 tutoring dashboard",
                |a| tutoring_dashboard(a, Some(3)),
                &["admin", "org coordinator", "student lead", "school lead"],
            ),
            (
                "some School's tutoring dashboard",
                tutoring_dashboard_of_some_school,
                &["admin", "org coordinator", "student lead", "school lead"],
            ),
            (
                "School 4 tutoring dashboard",
                |a| tutoring_dashboard(a, Some(4)),
                &["admin", "org coordinator", "student lead"],
            ),
            (
                "view a scheme",
                |a| scheme(a, Some(SchemeRef { id: SCHEME }), Action::View),
                &["*"],
            ),
            ("take own survey", |a| take_survey(a, Some(ME)), &["*"]),
            (
                "take another's survey",
                |a| take_survey(a, Some(OTHER)),
                &[],
            ),
            ("take an unlinked survey", |a| take_survey(a, None), &[]),
            (
                "manage survey waves",
                |a| manage_surveys(a, SCHEME),
                &["org coordinator", "scheme coordinator"],
            ),
            (
                "edit scale labels",
                edit_instruments,
                &["admin", "org coordinator"],
            ),
            (
                "read a cycle's survey statements",
                |a| cycle_instrument(a, SCHEME, Action::View),
                &[
                    "admin",
                    "org coordinator",
                    "scheme coordinator",
                    "researcher",
                ],
            ),
            (
                "change a cycle's survey statements",
                |a| cycle_instrument(a, SCHEME, Action::Edit),
                &["admin", "org coordinator", "scheme coordinator"],
            ),
            (
                "export research data",
                |a| research_export(a, SCHEME),
                &["org coordinator", "scheme coordinator", "researcher"],
            ),
            ("read and contribute to a sprint", sprint_contribute, &["*"]),
            (
                "read a tutoring profile as the student",
                |_| student_profile(as_student(), TUTEE, Action::View),
                &["*"],
            ),
            (
                "edit a tutoring profile as the student",
                |_| student_profile(as_student(), TUTEE, Action::Edit),
                &["*"],
            ),
            (
                "read a tutee's profile as their tutor of record",
                |_| student_profile(as_tutor(8), TUTEE, Action::View),
                &["*"],
            ),
            (
                "edit a tutee's profile as their tutor of record",
                |_| student_profile(as_tutor(8), TUTEE, Action::Edit),
                &[],
            ),
            (
                "read a profile as another tutor",
                |_| student_profile(as_tutor(9), TUTEE, Action::View),
                &[],
            ),
            (
                "read someone else's tutoring profile",
                |_| student_profile(TutoringSelf::default(), TUTEE, Action::View),
                &[],
            ),
            (
                "read the profile of a student without a tutor as no tutor",
                |_| {
                    let untutored = TuteeRef {
                        student_id: 7,
                        tutor_of_record: None,
                    };
                    student_profile(TutoringSelf::default(), untutored, Action::View)
                },
                &[],
            ),
            (
                "log a contact as the student",
                |_| log_contact_with(as_student(), TUTEE),
                &["*"],
            ),
            (
                "log a contact as the tutor of record",
                |_| log_contact_with(as_tutor(8), TUTEE),
                &["*"],
            ),
            (
                "log a contact for another tutor's tutee",
                |_| log_contact_with(as_tutor(9), TUTEE),
                &[],
            ),
            (
                "log a contact as a student without a tutor",
                |_| {
                    log_contact_with(
                        as_student(),
                        TuteeRef {
                            student_id: 7,
                            tutor_of_record: None,
                        },
                    )
                },
                &[],
            ),
            (
                "open the contact form without tutoring records",
                |_| log_contacts(TutoringSelf::default()),
                &[],
            ),
            (
                "open the contact form as a tutor",
                |_| log_contacts(as_tutor(9)),
                &["*"],
            ),
            (
                "ask for a change of tutor as the student",
                |_| request_tutor_change(as_student(), 7),
                &["*"],
            ),
            (
                "ask for a change of another's tutor",
                |_| request_tutor_change(as_tutor(8), 7),
                &[],
            ),
            (
                "decide a change of tutor in School 3",
                |a| decide_tutor_change(a, 3),
                &["school lead"],
            ),
            (
                "decide a change of tutor in another School",
                |a| decide_tutor_change(a, 4),
                &[],
            ),
            (
                "see the change-of-tutor queue",
                tutor_change_queue,
                &["school lead"],
            ),
            (
                "run a sprint",
                sprint_run,
                &["org coordinator", "student lead"],
            ),
            (
                "decide a proposal in a faculty with School 3",
                |a| sprint_decide(a, &[2, 3]),
                &["admin", "org coordinator", "school lead"],
            ),
            (
                "decide a proposal in another faculty",
                |a| sprint_decide(a, &[4]),
                &["admin", "org coordinator"],
            ),
        ];
        let mut failures = Vec::new();
        for (what, check, allowed) in &checks {
            for (who, actor) in actors() {
                let expected = allowed.contains(&"*") || allowed.contains(&who);
                if check(&actor) != expected {
                    failures.push(format!("{who} / {what}: expected {expected}"));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "policy disagrees with the matrix:\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn a_contact_note_is_readable_by_its_tutor_and_its_student_only() {
        let tutor = TutoringSelf {
            tutor_id: Some(8),
            student_id: None,
        };
        let student = TutoringSelf {
            tutor_id: None,
            student_id: Some(7),
        };
        assert!(tutoring_contact(tutor, 8, 7));
        assert!(tutoring_contact(student, 8, 7));
        assert!(!tutoring_contact(student, 8, 6));
        assert!(!tutoring_contact(tutor, 9, 7));
    }

    #[test]
    fn private_notes_stay_private_even_for_someone_holding_every_role() {
        let everything = Actor::new(
            ME,
            Role::ALL
                .into_iter()
                .filter_map(|r| {
                    r.allowed_scopes()
                        .first()
                        .and_then(|k| match k {
                            crate::role::ScopeKind::Organisation => Some(Scope::Organisation),
                            crate::role::ScopeKind::School => Some(Scope::School(1)),
                            _ => None,
                        })
                        .map(|scope| Grant { role: r, scope })
                })
                .collect(),
        );
        assert!(everything.has(Role::Admin) && everything.has(Role::Coordinator));
        assert!(!private_note(&everything, OTHER, None, Action::View));
        assert!(!private_note(&everything, OTHER, Some(30), Action::View));
        assert!(!student_profile(
            TutoringSelf::default(),
            TUTEE,
            Action::View
        ));
        // Every role, yet not the pair's member who may answer: still refused.
        assert!(!respond_to_meeting(
            &everything,
            PairRef {
                mentor_id: OTHER,
                mentee_id: 30,
                scheme_id: 1,
            },
            30
        ));
        let someone_elses = PairRef {
            mentor_id: OTHER,
            mentee_id: 30,
            scheme_id: 1,
        };
        assert!(!pair(&everything, someone_elses, Action::View));
    }

    /// Chats, coding and quotes (issue 11) over every role: the scheme's research team, and the
    /// participant for their own chat; never an admin by being an admin.
    #[test]
    fn chats_excerpts_and_quotes_follow_the_research_team() {
        type Check = fn(&Actor) -> bool;
        let team: &[&str] = &["org coordinator", "scheme coordinator", "researcher"];
        let coordinators: &[&str] = &["org coordinator", "scheme coordinator"];
        let checks: Vec<(&str, Check, &[&str])> = vec![
            (
                "read someone else's chat",
                |a| chat(a, SCHEME, OTHER, Action::View),
                team,
            ),
            (
                "read my own chat",
                |a| chat(a, SCHEME, ME, Action::View),
                &[
                    "nobody",
                    "admin",
                    "org coordinator",
                    "scheme coordinator",
                    "other scheme coordinator",
                    "mentor in cycle",
                    "mentee in cycle",
                    "mentor elsewhere",
                    "tutor",
                    "student",
                    "student lead",
                    "researcher",
                    "school lead",
                ],
            ),
            (
                "record a chat",
                |a| chat(a, SCHEME, OTHER, Action::Create),
                team,
            ),
            (
                "record my own chat",
                |a| chat(a, SCHEME, ME, Action::Create),
                team,
            ),
            (
                "code chats and read excerpts",
                |a| code_chats(a, SCHEME),
                team,
            ),
            ("list a cycle's chats", |a| chat_list(a, SCHEME), team),
            (
                "remove my own excerpt",
                |a| remove_excerpt(a, SCHEME, ME),
                team,
            ),
            (
                "remove someone else's excerpt",
                |a| remove_excerpt(a, SCHEME, OTHER),
                &[],
            ),
            (
                "ask for a passage of my chat to be removed",
                |a| request_chat_removal(a, ME),
                &[
                    "nobody",
                    "admin",
                    "org coordinator",
                    "scheme coordinator",
                    "other scheme coordinator",
                    "mentor in cycle",
                    "mentee in cycle",
                    "mentor elsewhere",
                    "tutor",
                    "student",
                    "student lead",
                    "researcher",
                    "school lead",
                ],
            ),
            (
                "ask for a passage of someone else's chat to be removed",
                |a| request_chat_removal(a, OTHER),
                &[],
            ),
            (
                "accept or decline a removal",
                |a| decide_chat_removal(a, SCHEME),
                coordinators,
            ),
            (
                "read the quote bank",
                |a| quotes(a, SCHEME, Action::View),
                team,
            ),
            (
                "promote or trim a quote",
                |a| quotes(a, SCHEME, Action::Edit),
                coordinators,
            ),
            (
                "promote a quote",
                |a| quotes(a, SCHEME, Action::Create),
                coordinators,
            ),
            (
                "read a scheme's aims",
                |a| aims(a, SCHEME, Action::View),
                team,
            ),
            (
                "relabel, add or reorder a scheme's aims",
                |a| aims(a, SCHEME, Action::Edit),
                coordinators,
            ),
        ];
        for (what, check, allowed) in checks {
            for (who, actor) in actors() {
                assert_eq!(
                    check(&actor),
                    allowed.contains(&who),
                    "{who} may {what}: expected {}",
                    allowed.contains(&who)
                );
            }
        }
    }

    #[test]
    fn a_researcher_of_one_scheme_reaches_only_that_scheme() {
        let of = |scheme| {
            Actor::new(
                ME,
                vec![Grant {
                    role: Role::Researcher,
                    scope: Scope::Scheme(scheme),
                }],
            )
        };
        let (mine, other) = (of(SCHEME), of(OTHER_SCHEME));
        for (what, check) in [
            ("list chats", chat_list as fn(&Actor, i64) -> bool),
            ("code chats", code_chats),
            ("see results", aggregate_results),
            ("export answers", research_export),
        ] {
            assert!(
                check(&mine, SCHEME),
                "a researcher of the scheme may {what}"
            );
            assert!(
                !check(&other, SCHEME),
                "a researcher of another may not {what}"
            );
        }
        assert!(chat(&mine, SCHEME, OTHER, Action::View));
        assert!(!chat(&other, SCHEME, OTHER, Action::View));
        assert!(
            !decide_chat_removal(&mine, SCHEME),
            "researchers do not change the record"
        );
    }

    #[test]
    fn a_participant_without_research_consent_cannot_have_a_chat_recorded() {
        assert!(!can_record_chat(false));
        assert!(can_record_chat(true));
    }

    #[test]
    fn an_admin_without_a_research_role_sees_no_chat_but_with_one_does() {
        let admin = Actor::new(
            ME,
            vec![Grant {
                role: Role::Admin,
                scope: Scope::Organisation,
            }],
        );
        assert!(!chat(&admin, SCHEME, OTHER, Action::View));
        assert!(!code_chats(&admin, SCHEME));
        assert!(!quotes(&admin, SCHEME, Action::View));
        let mut researching = admin.clone();
        researching.grants.push(Grant {
            role: Role::Researcher,
            scope: Scope::Organisation,
        });
        assert!(chat(&researching, SCHEME, OTHER, Action::View));
    }
    /// The codebook, code frequencies and the qualitative exports (issue 11): the research
    /// team; frequencies also reach admins, but only under the disclosure rule.
    #[test]
    fn the_codebook_frequencies_and_exports_follow_the_research_team() {
        let team: &[&str] = &["org coordinator", "scheme coordinator", "researcher"];
        for (who, actor) in actors() {
            let in_team = team.contains(&who);
            for action in [Action::View, Action::Create, Action::Edit] {
                assert_eq!(codebook(&actor, SCHEME, action), in_team, "{who} codebook");
            }
            assert_eq!(qualitative_export(&actor, SCHEME), in_team, "{who} export");
            let expected = match who {
                _ if in_team => Some(Audience::ResearchTeam),
                "admin" => Some(Audience::Outside),
                _ => None,
            };
            assert_eq!(
                code_frequencies(&actor, SCHEME),
                expected,
                "{who} frequencies"
            );
        }
    }
}

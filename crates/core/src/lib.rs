//! flipside's domain: the types and rules of the product, free of I/O so that a unit test
//! reaches every rule without a database or a web server.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`stats`] | paired and unpaired rank tests, descriptive statistics (SPEC §3.6) |
//! | [`allocation`] | exact min-cost allocation of students to tutors (SPEC §3.10) |
//! | [`matching`] | optimal mentor–mentee matching with explanations (SPEC §3.3) |
//! | [`disclosure`] | small-cell suppression under the organisation's disclosure rules |
//! | [`email`] | email addresses, parsed once into [`email::Email`] |
//! | [`text`] | bounded single-line and multi-line text from forms |
//! | [`cycle`] | the cycle state machine and academic years |
//! | [`framework`] | meeting plans and expectations agreements |
//! | [`role`] | roles and their scopes |
//! | [`policy`] | who may do what: the one place access rules live |
//! | [`scheme`] | scheme kinds and validated names |
//! | [`sprint`] | design sprint stages, decisions and implementation status (SPEC §3.11) |
//! | [`recruitment`] | applications, their consents and decisions (SPEC §3.2) |
//! | [`invitation`] | staff invitations by single-use, expiring link (SPEC §3.2) |
//! | [`cycle_matching`] | a cycle's people and rules as a matching problem (SPEC §3.3) |
//! | [`tutoring`] | allocation from School rules, hand-made moves, contacts, dashboard figures (SPEC §3.10) |
//! | [`tutoring_dashboard`] | the tutoring dashboard's figures under the disclosure rule (SPEC §3.10) |
//! | [`surveys`] | wave dates, scale labels and a respondent's answers (SPEC §3.5) |
//! | [`survey_reminders`] | reminders on a schedule set per wave: which day's is due, the schedule as typed |
//! | [`research_export`] | the researchers' tidy CSV of survey answers and its codebook |
//! | [`outreach`] | the applicant pool against the organisation's population (SPEC §3.2) |
//! | [`meetings`] | proposing meetings: future, no overlap; hours (SPEC §3.4) |
//! | [`concerns`] | concerns raised with coordinators: status and reply (SPEC §3.4) |
//! | [`nudge`] | who a coordinator's nudge emails: pairs stuck before agreeing or meeting |
//! | [`progress`] | a cycle's figures as to-do items and stages (recruit, match, run, evaluate); pairs not meeting |
//! | [`actions`] | the action state machine and evidence links (SPEC §3.8) |
//! | [`dates`] | the one rule for a plausible date in any date field |
//! | [`local_time`] | the organisation's time zone: local times to UTC and back, local dates |
//! | [`spreadsheet`] | CSV cells made safe to open in a spreadsheet (no formulas) |
//! | [`account`] | local accounts: which new passwords are acceptable (SPEC §3.13) |
//! | [`annual_report`] | the annual report's scope, its coordinator's text and version numbers (SPEC §3.9) |
//! | [`qualitative`] | reflective chats, coding, two coders' agreement, the quote bank, triangulation, REFI-QDA (SPEC §3.7) |
//! | [`rate_limit`] | how often one client may change things: a token bucket per client |
#![forbid(unsafe_code)]

pub mod account;
pub mod actions;
pub mod allocation;
pub mod annual_report;
pub mod api_scope;
pub mod concerns;
pub mod cycle;
pub mod cycle_matching;
pub mod dates;
pub mod digest;
pub mod disclosure;
pub mod email;
pub mod evaluation;
pub mod framework;
pub mod import;
pub mod invitation;
pub mod local_time;
pub mod matching;
pub mod meetings;
pub mod nudge;
pub mod outreach;
pub mod policy;
pub mod privacy;
pub mod progress;
pub mod qualitative;
pub mod rate_limit;
pub mod recruitment;
pub mod research_export;
pub mod results_words;
pub mod role;
pub mod scheme;
pub mod spreadsheet;
pub mod sprint;
pub mod stats;
pub mod survey_reminders;
pub mod surveys;
pub mod text;
pub mod tutoring;
pub mod tutoring_dashboard;
pub mod webhook;

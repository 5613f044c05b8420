//! A realistic report for tests, benchmarks and previews, shaped like the seeds' institutional
//! cycle (26 pairs, 25 completed; mentors 25 before / 20 after of 26; staff 16 / 7 of 26) with
//! invented people, quotes and text.

use chrono::NaiveDate;

use crate::figures::Disclosure;
use crate::model::*;

/// (wave, respondents, mean, sd)
type WaveRaw = (Wave, u64, f64, f64);

/// (n paired, mean change, up, same, down, r, p, test)
type PairedRaw = (u64, f64, u64, u64, u64, f64, f64, &'static str);

fn paired(d: &Disclosure, from: Wave, to: Wave, raw: PairedRaw) -> PairedChange {
    let (n, change, up, same, down, r, p, test) = raw;
    PairedChange {
        from,
        to,
        n: d.count(n),
        mean_change: d.mean(change, n),
        moved_up: d.count(up),
        same: d.count(same),
        moved_down: d.count(down),
        moved_up_pct: d.percent(up, n),
        same_pct: d.percent(same, n),
        moved_down_pct: d.percent(down, n),
        effect_size_r: d.statistic(r, n),
        p_value: d.statistic(p, n),
        test: test.to_owned(),
    }
}

fn statement(
    d: &Disclosure,
    short: &str,
    text: &str,
    waves: &[WaveRaw],
    change: PairedRaw,
    follow_up: Option<PairedRaw>,
) -> StatementResult {
    StatementResult {
        short: short.to_owned(),
        text: text.to_owned(),
        waves: waves
            .iter()
            .map(|&(wave, n, mean, sd)| WaveResult {
                wave,
                n: d.count(n),
                mean: d.mean(mean, n),
                sd: d.mean(sd, n),
            })
            .collect(),
        paired: paired(d, Wave::Pre, Wave::Post, change),
        follow_up: follow_up.map(|raw| paired(d, Wave::Pre, Wave::FollowUp, raw)),
    }
}

fn category(d: &Disclosure, label: &str, n: u64) -> Category {
    Category {
        label: label.to_owned(),
        count: d.count(n),
    }
}

const EXACT: &str = "Wilcoxon signed-rank, exact";
const APPROX: &str = "Wilcoxon signed-rank, normal approximation";

impl ReportData {
    /// The institutional scheme's 2025/26 cycle under the publication rule.
    pub fn example() -> Self {
        Self::example_with(Disclosure::publication())
    }

    /// The same report under another rule (e.g. the internal one).
    pub fn example_with(d: Disclosure) -> Self {
        use Wave::*;
        let mentors = "Mentors";
        let mentees = "Mentees";
        let scheme = SchemeReport {
            scheme: "Reverse Mentoring Programme".into(),
            purpose: "Students who self-identify as under-represented mentor senior leaders, so \
                      that leaders understand students' experience and act on it."
                .into(),
            mentor_label: "Mentors (students)".into(),
            mentee_label: "Mentees (senior staff)".into(),
            participation: Participation {
                applicants: d.count(41),
                accepted: d.count(27),
                staff_invited: d.count(28),
                matched_pairs: d.count(26),
                completed_pairs: d.count(25),
                completion_rate: d.percent(25, 26),
                ended_early: vec![category(&d, "Mentor's studies or health", 1)],
                hours_target: 20,
                mean_hours: d.mean(14.6, 25),
                pairs_meeting_target: d.count(6),
                meetings_held: d.count(213),
            },
            evaluation: Evaluation {
                response_rates: vec![
                    rate(&d, Pre, mentors, 26, 25),
                    rate(&d, Post, mentors, 26, 20),
                    rate(&d, FollowUp, mentors, 26, 12),
                    rate(&d, Pre, mentees, 26, 16),
                    rate(&d, Post, mentees, 26, 7),
                ],
                aims: vec![
                    AimResult {
                        aim: "Mentors feel they belong and are valued".into(),
                        role: mentors.into(),
                        statements: vec![
                            statement(
                                &d,
                                "Belonging",
                                "I feel a sense of belonging to the university.",
                                &[
                                    (Pre, 25, 3.08, 0.95),
                                    (Post, 20, 3.70, 0.80),
                                    (FollowUp, 12, 3.58, 0.79),
                                ],
                                (19, 0.63, 11, 6, 2, 0.52, 0.0127, EXACT),
                                Some((11, 0.45, 6, 4, 1, 0.49, 0.1094, EXACT)),
                            ),
                            statement(
                                &d,
                                "Valued",
                                "I feel that my views are valued by the university.",
                                &[
                                    (Pre, 25, 3.13, 1.03),
                                    (Post, 20, 3.45, 0.89),
                                    (FollowUp, 12, 3.42, 0.90),
                                ],
                                (19, 0.32, 8, 8, 3, 0.31, 0.1797, EXACT),
                                Some((11, 0.27, 5, 4, 2, 0.25, 0.4531, EXACT)),
                            ),
                            statement(
                                &d,
                                "Confidence with staff",
                                "I feel confident talking to senior staff.",
                                &[
                                    (Pre, 25, 2.96, 1.10),
                                    (Post, 20, 3.85, 0.75),
                                    (FollowUp, 12, 3.75, 0.87),
                                ],
                                (19, 0.89, 13, 5, 1, 0.71, 0.0018, APPROX),
                                Some((11, 0.82, 8, 3, 0, 0.74, 0.0078, EXACT)),
                            ),
                        ],
                    },
                    AimResult {
                        aim: "Leaders understand the challenges students face".into(),
                        role: mentees.into(),
                        statements: vec![
                            statement(
                                &d,
                                "Understand challenges",
                                "I understand the challenges that under-represented students face.",
                                &[(Pre, 16, 2.81, 0.83), (Post, 7, 3.17, 0.69)],
                                (6, 0.50, 3, 3, 0, 0.58, 0.25, EXACT),
                                None,
                            ),
                            statement(
                                &d,
                                "Why harder to engage",
                                "I understand why these students may find it harder to engage.",
                                &[(Pre, 16, 3.06, 0.93), (Post, 7, 4.17, 0.41)],
                                (6, 1.17, 5, 1, 0, 0.85, 0.0625, EXACT),
                                None,
                            ),
                            statement(
                                &d,
                                "Less confident",
                                "I understand why these students may feel less confident.",
                                &[(Pre, 16, 3.75, 0.77), (Post, 7, 4.50, 0.55)],
                                (6, 0.67, 4, 2, 0, 0.71, 0.125, EXACT),
                                None,
                            ),
                        ],
                    },
                ],
            },
            findings: Some(vec![
                Finding {
                    aim: "Mentors feel they belong and are valued".into(),
                    summary: "Most mentors described being listened to as the first time they \
                              had spoken to a senior leader as an equal; several linked this to \
                              feeling they had a place at the university."
                        .into(),
                    quotes: vec![
                        Quote {
                            pseudonym: "Mentor 3".into(),
                            text: "I stopped feeling like a visitor on campus. Someone in charge \
                                   wanted to know what my week was actually like."
                                .into(),
                        },
                        Quote {
                            pseudonym: "Mentor 7".into(),
                            text: "They came back the next month and told me what they had \
                                   changed. That is when I believed it."
                                .into(),
                        },
                    ],
                },
                Finding {
                    aim: "Leaders understand the challenges students face".into(),
                    summary: "Mentees spoke of commuting, paid work and caring responsibilities \
                              they had not seen from their office, and of rethinking deadlines \
                              and timetabling."
                        .into(),
                    quotes: vec![Quote {
                        pseudonym: "Mentee B".into(),
                        text: "I had assumed quiet meant disengaged. My mentor showed me how \
                               much of the day was gone before the first lecture."
                            .into(),
                    }],
                },
            ]),
            actions: Actions {
                by_status: vec![
                    category(&d, "Proposed", 4),
                    category(&d, "Agreed", 6),
                    category(&d, "In progress", 9),
                    category(&d, "Done", 12),
                    category(&d, "Declined", 2),
                ],
                you_said_we_did: vec![
                    YouSaidWeDid {
                        you_said: "Timetables change too late for students who work or commute."
                            .into(),
                        we_did: "Teaching timetables are now fixed six weeks before term in \
                                 three Schools, with the rest following next year."
                            .into(),
                        owner: "Pro-Vice-Chancellor (Education)".into(),
                        status: "Done".into(),
                    },
                    YouSaidWeDid {
                        you_said: "Prayer and quiet spaces are hard to find and often locked."
                            .into(),
                        we_did: "Opening hours extended and signposted on the campus map.".into(),
                        owner: "Director of Estates".into(),
                        status: "Done".into(),
                    },
                    YouSaidWeDid {
                        you_said: "Placement costs fall hardest on students without family \
                                   support."
                            .into(),
                        we_did: "A travel bursary for placements is being piloted.".into(),
                        owner: "Dean of Health Sciences".into(),
                        status: "In progress".into(),
                    },
                ],
            },
            proposals: vec![Proposal {
                sprint: "Faculty of Science, spring design sprint".into(),
                title: "A first tutor meeting before teaching starts".into(),
                summary: "Every new student meets their personal tutor in welcome week, with \
                          a short guide written by Student APT Leads."
                    .into(),
                owner: "Faculty Director of Student Experience".into(),
                status: "In progress".into(),
                evidence: Some("Guide drafted; pilot in two Schools.".into()),
            }],
        };
        let instrument = |name: &str, aims: &[(&str, &[&str])]| Instrument {
            name: name.to_owned(),
            scale: [
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            ]
            .map(str::to_owned)
            .to_vec(),
            aims: aims
                .iter()
                .map(|(aim, s)| (aim.to_string(), s.iter().map(|s| s.to_string()).collect()))
                .collect(),
        };
        ReportData {
            title: "Reverse Mentoring Programme: annual report".into(),
            organisation: "University of Northmoor".into(),
            prepared_on: NaiveDate::from_ymd_opt(2026, 7, 14).expect("a valid date"),
            author: "Student Success Unit".into(),
            scope: Scope::Cycle {
                scheme: "Reverse Mentoring Programme".into(),
                academic_year: "2025/26".into(),
            },
            introduction: "This report sets out what the **Reverse Mentoring Programme** did \
                           this year, what the people in it told us, and what changed as a \
                           result.\n\nStudents who self-identify as under-represented mentored \
                           senior leaders across the university. Figures follow the publication \
                           rule, so small groups cannot be identified."
                .into(),
            schemes: vec![scheme],
            recommendations: "1. Run the programme again next year, as an **annual cycle**.\n\
                              2. Start *School-level pilots* beside the institutional scheme.\n\
                              3. Give every meeting a structured framework: prompts, firmer \
                              expectations and a pre-agreed schedule.\n\
                              4. Keep reporting, each year, what was raised and what changed."
                .into(),
            methods: Methods {
                instruments: vec![
                    instrument(
                        "Mentor survey",
                        &[(
                            "Mentors feel they belong and are valued",
                            &[
                                "I feel a sense of belonging to the university.",
                                "I feel that my views are valued by the university.",
                                "I feel confident talking to senior staff.",
                            ],
                        )],
                    ),
                    instrument(
                        "Mentee survey",
                        &[(
                            "Leaders understand the challenges students face",
                            &[
                                "I understand the challenges that under-represented students face.",
                                "I understand why these students may find it harder to engage.",
                                "I understand why these students may feel less confident.",
                            ],
                        )],
                    ),
                ],
                statistics: vec![
                    "Means and sample standard deviations per wave, over everyone who answered \
                     that wave."
                        .into(),
                    "Paired change on the people who answered both waves, linked by a \
                     pseudonymous code, never by name."
                        .into(),
                    "The Wilcoxon signed-rank test on paired differences: exact for small \
                     groups, the normal approximation otherwise; zero differences dropped \
                     (Wilcox method)."
                        .into(),
                    "Effect size r, the test's z divided by the square root of the number of \
                     non-zero differences."
                        .into(),
                ],
                invited: vec![
                    category(&d, "Students accepted as mentors", 27),
                    category(&d, "Senior staff invited as mentees", 28),
                    category(&d, "Mentors and mentees invited to a reflective chat", 52),
                ],
            },
            disclosure: d,
        }
    }
}

fn rate(d: &Disclosure, wave: Wave, role: &str, invited: u64, responded: u64) -> ResponseRate {
    ResponseRate {
        wave,
        role: role.to_owned(),
        invited: d.count(invited),
        responded: d.count(responded),
        rate: d.percent(responded, invited),
    }
}

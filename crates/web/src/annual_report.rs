//! The annual report's data (SPEC §3.9), gathered from the store: one cycle, or an academic
//! year across schemes, every figure made by the report's disclosure rule (the publication rule
//! unless the caller says otherwise). The report page and `flipside report` both build it here.
use crate::error::AppError;
use crate::handlers::evaluation::results::Analysed;
use chrono::NaiveDate;
use flipside_core::actions::ActionStatus;
use flipside_core::annual_report::{ReportScope, ReportText};
use flipside_core::cycle::AcademicYear;
use flipside_core::disclosure::{Cell, DisclosureRule, Suppression};
use flipside_core::evaluation::{self, LIKERT_LABELS, Wave as CoreWave};
use flipside_core::recruitment::ApplicationStatus;
use flipside_core::sprint::{Decision, Implementation};
use flipside_core::stats;
use flipside_report::model::{self as m, Wave};
use flipside_report::{Disclosure, ReportData};
use flipside_store::{AnswerRow, Cycle, PairStatus, Store};
use std::collections::{BTreeMap, BTreeSet};

type Result<T, E = AppError> = std::result::Result<T, E>;

/// Said where the coordinator has not written the introduction yet.
pub const NO_INTRODUCTION: &str = "This report sets out who took part, what the surveys showed \
and what changed as a result. The coordinator's introduction has not been written yet.";
/// Said where the coordinator has not written the recommendations yet.
pub const NO_RECOMMENDATIONS: &str = "The coordinator's recommendations have not been written yet.";

/// A report and the quotes it prints.
#[derive(Debug, Clone)]
pub struct Gathered {
    pub report: ReportData,
    /// The quote bank's ids of the quotes the report prints (stored with a published version,
    /// so that a later withdrawal of consent can be flagged).
    pub quote_ids: Vec<i64>,
}

/// The report of `scope` with the coordinator's saved text (or the placeholders above).
pub async fn gather(
    store: &Store,
    scope: ReportScope,
    d: Disclosure,
    today: NaiveDate,
) -> Result<Gathered, AppError> {
    let text = match store.report_draft(scope).await? {
        Some(draft) => ReportText {
            introduction: draft.introduction,
            recommendations: draft.recommendations,
        },
        None => ReportText {
            introduction: String::new(),
            recommendations: String::new(),
        },
    };
    let mut report = match scope {
        ReportScope::Cycle(id) => cycle_report(store, id, d, today).await?,
        ReportScope::Year(year) => year_report(store, year.start_year(), d, today).await?,
    };
    with_text(&mut report.report, &text);
    Ok(report)
}

/// Puts the coordinator's text into the report, or says it has not been written.
pub fn with_text(report: &mut ReportData, text: &ReportText) {
    let or = |t: &str, none: &str| {
        if t.trim().is_empty() {
            none.to_owned()
        } else {
            t.to_owned()
        }
    };
    report.introduction = or(&text.introduction, NO_INTRODUCTION);
    report.recommendations = or(&text.recommendations, NO_RECOMMENDATIONS);
}

/// The report of one cycle.
pub async fn cycle_report(
    store: &Store,
    cycle_id: i64,
    d: Disclosure,
    today: NaiveDate,
) -> Result<Gathered> {
    let cycle = store.cycle(cycle_id).await?;
    let scheme = store.scheme(cycle.scheme_id).await?;
    let year = cycle.year().to_string();
    let (section, quote_ids) = scheme_section(store, &cycle, &d).await?;
    let mut report = frame(
        store,
        format!("{}: annual report", scheme.name),
        m::Scope::Cycle {
            scheme: scheme.name.clone(),
            academic_year: year,
        },
        d,
        today,
    )
    .await?;
    report.methods.invited = invited(store, &[&cycle], &report.disclosure).await?;
    report.methods.instruments = instruments(store, &[&cycle]).await?;
    report.schemes.push(section);
    Ok(Gathered { report, quote_ids })
}

/// The report of an academic year, one section per cycle of that year.
pub async fn year_report(
    store: &Store,
    start_year: i32,
    d: Disclosure,
    today: NaiveDate,
) -> Result<Gathered> {
    let mut cycles = Vec::new();
    for scheme in store.schemes().await? {
        for cycle in store.cycles_of(scheme.id).await? {
            if cycle.academic_year == i64::from(start_year) {
                cycles.push(cycle);
            }
        }
    }
    let year = AcademicYear::from_start_year(start_year).to_string();
    if cycles.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut report = frame(
        store,
        "Annual report".to_owned(),
        m::Scope::Year {
            academic_year: year,
        },
        d,
        today,
    )
    .await?;
    let mut quote_ids = Vec::new();
    for cycle in &cycles {
        let (section, quotes) = scheme_section(store, cycle, &report.disclosure).await?;
        report.schemes.push(section);
        quote_ids.extend(quotes);
    }
    let refs: Vec<&Cycle> = cycles.iter().collect();
    report.methods.invited = invited(store, &refs, &report.disclosure).await?;
    report.methods.instruments = instruments(store, &refs).await?;
    Ok(Gathered { report, quote_ids })
}

async fn frame(
    store: &Store,
    title: String,
    scope: m::Scope,
    d: Disclosure,
    today: NaiveDate,
) -> Result<ReportData> {
    let org = store.organisation().await?.ok_or(AppError::NotFound)?;
    Ok(ReportData {
        title,
        organisation: org.name.clone(),
        prepared_on: today,
        author: format!("{} scheme coordinators", org.name),
        scope,
        disclosure: d,
        introduction: NO_INTRODUCTION.into(),
        schemes: Vec::new(),
        recommendations: NO_RECOMMENDATIONS.into(),
        methods: methods(),
    })
}

fn methods() -> m::Methods {
    m::Methods {
        instruments: evaluation::default_instruments()
            .into_iter()
            .map(|(name, statements)| {
                let mut aims: Vec<(String, Vec<String>)> = Vec::new();
                for s in statements {
                    match aims.iter_mut().find(|(a, _)| a == s.aim) {
                        Some((_, list)) => list.push(s.text.to_owned()),
                        None => aims.push((s.aim.to_owned(), vec![s.text.to_owned()])),
                    }
                }
                m::Instrument {
                    name: instrument_name(name),
                    scale: LIKERT_LABELS.iter().map(|l| (*l).to_owned()).collect(),
                    aims,
                }
            })
            .collect(),
        statistics: vec![
            "Means and sample standard deviations per wave, over everyone who answered that \
             wave and consented to research use."
                .into(),
            "Paired change on the people who answered both waves, linked by a pseudonymous \
             code, never by name."
                .into(),
            "Wilcoxon signed-rank test of the paired differences (exact for small samples, \
             normal approximation otherwise), with effect size r = z / √n."
                .into(),
            "Response rates count everyone who answered; the analysis uses only those who \
             consented to research use."
                .into(),
        ],
        invited: Vec::new(),
    }
}

/// The surveys as the reported cycles asked them (each cycle has its own statements, issue 11):
/// one instrument per side, or, where the cycles' statements differ, one per side and scheme.
async fn instruments(store: &Store, cycles: &[&Cycle]) -> Result<Vec<m::Instrument>> {
    let mut asked: Vec<(String, m::Instrument)> = Vec::new();
    for cycle in cycles {
        let instrument = store.cycle_instrument(cycle.id).await?;
        let scheme = store.scheme(cycle.scheme_id).await?.name;
        for role in ["mentor", "mentee"] {
            let mut aims: Vec<(String, Vec<String>)> = Vec::new();
            for s in instrument.asked_of(role) {
                match aims.iter_mut().find(|(a, _)| *a == s.heading) {
                    Some((_, list)) => list.push(s.text.clone()),
                    None => aims.push((s.heading.clone(), vec![s.text.clone()])),
                }
            }
            let same = asked
                .iter()
                .any(|(_, i)| i.name == instrument_name(role) && i.aims == aims);
            if !same && !aims.is_empty() {
                let i = m::Instrument {
                    name: instrument_name(role),
                    scale: LIKERT_LABELS.iter().map(|l| (*l).to_owned()).collect(),
                    aims,
                };
                asked.push((scheme.clone(), i));
            }
        }
    }
    let names: Vec<String> = asked.iter().map(|(_, i)| i.name.clone()).collect();
    Ok(asked
        .into_iter()
        .map(|(scheme, mut i)| {
            if names.iter().filter(|n| **n == i.name).count() > 1 {
                i.name = format!("{} ({scheme})", i.name);
            }
            i
        })
        .collect())
}

fn instrument_name(audience: &str) -> String {
    match audience {
        "mentor" => "Mentor survey".into(),
        "mentee" => "Mentee survey".into(),
        other => format!("{other} survey"),
    }
}

fn role_label(role: &str) -> String {
    match role {
        "mentor" => "Mentors".into(),
        "mentee" => "Mentees".into(),
        other => other.to_owned(),
    }
}

fn wave_of(w: CoreWave) -> Wave {
    match w {
        CoreWave::Pre => Wave::Pre,
        CoreWave::Post => Wave::Post,
        CoreWave::Followup => Wave::FollowUp,
    }
}

/// The category an early ending's reason falls in (the report never prints the reason).
fn ending_category(reason: &str) -> &'static str {
    let r = reason.to_lowercase();
    if r.contains("left") || r.contains("role") || r.contains("job") {
        "A member left the university or changed role"
    } else if r.contains("health") || r.contains("stud") || r.contains("exam") {
        "Mentor's studies or health"
    } else if r.contains("time") || r.contains("workload") || r.contains("busy") {
        "Time or workload"
    } else {
        "Other reasons"
    }
}

async fn invited(store: &Store, cycles: &[&Cycle], d: &Disclosure) -> Result<Vec<m::Category>> {
    let (mut students, mut staff, mut surveyed) = (0u64, 0u64, 0u64);
    for c in cycles {
        let pairs = store.pairs_of_cycle(c.id).await?;
        students += student_applications(store, c, &pairs)
            .await?
            .iter()
            .filter(|a| a.status() == ApplicationStatus::Accepted)
            .count() as u64;
        staff += store.invitations_of(c.id).await?.len() as u64;
        surveyed += store
            .survey_participant_counts(c.id)
            .await?
            .iter()
            .map(|(_, n)| *n as u64)
            .sum::<u64>();
    }
    Ok(vec![
        category(d, "Students accepted as mentors", students),
        category(d, "Senior staff invited as mentees", staff),
        category(d, "Participants invited to answer the surveys", surveyed),
    ])
}

/// The cycle's applications from students. A staff mentee may hold an application only to carry
/// their consents (to research use and to being quoted, for the reflective chats); it is not a
/// student applying, so it is left out.
async fn student_applications(
    store: &Store,
    cycle: &Cycle,
    pairs: &[flipside_store::Pair],
) -> Result<Vec<flipside_store::Application>> {
    let mentees: BTreeSet<i64> = pairs.iter().map(|p| p.mentee_id).collect();
    Ok(store
        .applications_of(cycle.id)
        .await?
        .into_iter()
        .filter(|a| !mentees.contains(&a.user_id))
        .collect())
}

fn category(d: &Disclosure, label: &str, n: u64) -> m::Category {
    m::Category {
        label: label.to_owned(),
        count: d.count(n),
    }
}

/// One cycle's section (participation, surveys, findings and quotes, actions and accepted
/// proposals) and the ids of the quotes it prints.
async fn scheme_section(
    store: &Store,
    cycle: &Cycle,
    d: &Disclosure,
) -> Result<(m::SchemeReport, Vec<i64>)> {
    let scheme = store.scheme(cycle.scheme_id).await?;
    let pairs = store.pairs_of_cycle(cycle.id).await?;
    let applications = student_applications(store, cycle, &pairs).await?;
    let invitations = store.invitations_of(cycle.id).await?;
    let hours = store.hours_of_cycle(cycle.id).await?;
    let matched = pairs.len() as u64;
    let completed: BTreeSet<i64> = pairs
        .iter()
        .filter(|p| p.status() == PairStatus::Completed)
        .map(|p| p.id)
        .collect();
    let mut endings: BTreeMap<&str, u64> = BTreeMap::new();
    for p in pairs
        .iter()
        .filter(|p| p.status() == PairStatus::EndedEarly)
    {
        *endings.entry(ending_category(&p.ended_reason)).or_default() += 1;
    }
    let target_minutes = cycle.hours_target.max(0) * 60;
    let completed_hours: Vec<f64> = hours
        .iter()
        .filter(|h| completed.contains(&h.pair_id))
        .map(|h| h.minutes_held as f64 / 60.0)
        .collect();
    let mean_hours = stats::describe(&completed_hours).mean.unwrap_or(0.0);
    let meeting_target = hours
        .iter()
        .filter(|h| completed.contains(&h.pair_id) && h.minutes_held >= target_minutes)
        .count() as u64;
    let participation = m::Participation {
        applicants: d.count(applications.len() as u64),
        accepted: d.count(
            applications
                .iter()
                .filter(|a| a.status() == ApplicationStatus::Accepted)
                .count() as u64,
        ),
        staff_invited: d.count(invitations.len() as u64),
        matched_pairs: d.count(matched),
        completed_pairs: d.count(completed.len() as u64),
        completion_rate: d.percent(completed.len() as u64, matched),
        ended_early: endings
            .into_iter()
            .map(|(label, n)| category(d, label, n))
            .collect(),
        hours_target: cycle.hours_target.max(0) as u32,
        mean_hours: d.mean(mean_hours, completed_hours.len() as u64),
        pairs_meeting_target: d.count(meeting_target),
        meetings_held: d.count(hours.iter().map(|h| h.meetings_held.max(0) as u64).sum()),
    };
    let counts = store.survey_participant_counts(cycle.id).await?;
    let answers = store.survey_answers(cycle.id).await?;
    let evaluation = survey_results(&counts, &answers, d);
    let (findings, quote_ids) = findings(store, cycle).await?;
    let section = m::SchemeReport {
        scheme: scheme.name.clone(),
        purpose: scheme.purpose.clone(),
        mentor_label: "Mentors (students)".into(),
        mentee_label: "Mentees (senior staff)".into(),
        participation,
        evaluation,
        findings,
        actions: actions(store, cycle, d).await?,
        proposals: proposals(store, cycle).await?,
    };
    Ok((section, quote_ids))
}

/// The cycle's triangulated findings per aim, with the quotes coded to that aim whose speakers'
/// quote consent stands now, labelled by pseudonym; `None` when no reflective chat was
/// analysed (the report says so). Also the ids of the quotes printed.
async fn findings(store: &Store, cycle: &Cycle) -> Result<(Option<Vec<m::Finding>>, Vec<i64>)> {
    let written = store.findings_of_cycle(cycle.id).await?;
    let quotes = store.quotes_of_cycle(cycle.id).await?;
    if written.is_empty() && quotes.is_empty() {
        return Ok((None, Vec::new()));
    }
    let consenting = store.quote_consenting(cycle.id).await?;
    let participants = store.qualitative_participants(cycle.id).await?;
    let roles: Vec<(i64, &str)> = participants
        .iter()
        .map(|(id, role)| (*id, role.as_str()))
        .collect();
    let names = flipside_core::qualitative::quotes::pseudonyms(&roles);
    let codebook = store.codebook_of_scheme(cycle.scheme_id).await?;
    // A code evidences its own aim or its nearest ancestor's.
    let excerpt_aims: BTreeMap<i64, BTreeSet<&str>> = store
        .excerpts_of_cycle(cycle.id)
        .await?
        .iter()
        .map(|e| {
            let aims = e.codes.iter().filter_map(|c| codebook.aim_of(*c));
            (e.id, aims.collect())
        })
        .collect();
    let mut out = Vec::new();
    let mut ids = Vec::new();
    for aim in store.aims_of_scheme(cycle.scheme_id).await? {
        let summary = written
            .iter()
            .find(|f| f.aim == aim.key)
            .map(|f| f.finding.trim().to_owned())
            .filter(|f| !f.is_empty());
        let shown: Vec<_> = quotes
            .iter()
            .filter(|q| consenting.contains(&q.participant_user_id))
            .filter(|q| {
                excerpt_aims
                    .get(&q.excerpt_id)
                    .is_some_and(|aims| aims.contains(aim.key.as_str()))
            })
            .filter_map(|q| names.get(&q.participant_user_id).map(|p| (q, p)))
            .collect();
        // The same words twice under one aim add nothing; the first speaker keeps them.
        let mut seen = BTreeSet::new();
        let shown: Vec<_> = shown
            .into_iter()
            .filter(|(q, _)| seen.insert(q.edited.trim().to_owned()))
            .collect();
        if summary.is_none() && shown.is_empty() {
            continue;
        }
        ids.extend(shown.iter().map(|(q, _)| q.id));
        out.push(m::Finding {
            aim: aim.label.clone(),
            summary: summary
                .unwrap_or_else(|| "No finding has been written for this aim yet.".into()),
            quotes: shown
                .into_iter()
                .map(|(q, pseudonym)| m::Quote {
                    pseudonym: pseudonym.clone(),
                    text: q.edited.clone(),
                })
                .collect(),
        });
    }
    ids.sort_unstable();
    ids.dedup();
    Ok((Some(out), ids))
}

/// Response rates per wave and role, and per-statement results, from the stored answers: the
/// same people and pairing as the cycle's results page (`handlers/evaluation/results.rs`).
pub fn survey_results(
    counts: &[(String, i64)],
    answers: &[AnswerRow],
    d: &Disclosure,
) -> m::Evaluation {
    let mut response_rates = Vec::new();
    let mut aims = Vec::new();
    let mut counts: Vec<&(String, i64)> = counts.iter().collect();
    counts.sort_by_key(|(role, _)| (role != "mentor", role.clone()));
    // The tests' own figures are computed without a threshold and disclosed by `d` below.
    let open = DisclosureRule::internal_with_min(1);
    for (role, invited) in counts {
        let label = role_label(role);
        let mine: Vec<&AnswerRow> = answers.iter().filter(|a| &a.role == role).collect();
        for w in CoreWave::ALL {
            let responded: BTreeSet<&str> = mine
                .iter()
                .filter(|a| a.wave == w.as_str())
                .map(|a| a.code.as_str())
                .collect();
            if responded.is_empty() && w == CoreWave::Followup {
                continue;
            }
            let invited = (*invited).max(0) as u64;
            response_rates.push(m::ResponseRate {
                wave: wave_of(w),
                role: label.clone(),
                invited: d.count(invited),
                responded: d.count(responded.len() as u64),
                rate: d.percent(responded.len() as u64, invited),
            });
        }
        let analysed = Analysed::of(&mine);
        let scores = |code: &str, wave: CoreWave| analysed.scores(code, wave);
        let mut by_aim: Vec<m::AimResult> = Vec::new();
        for &(_, code, aim, text) in &analysed.statements {
            // The results page's comparisons under the report's rule: a figure they hide so
            // that another cannot be worked out is hidden here too.
            let page = |to: CoreWave| {
                evaluation::compare(
                    (code, aim, text),
                    &scores(code, CoreWave::Pre),
                    &scores(code, to),
                    d.rule(),
                )
            };
            let mut on_page = vec![vec![page(CoreWave::Post)], vec![page(CoreWave::Followup)]];
            crate::handlers::evaluation::results::hide_the_first_wave_everywhere(&mut on_page);
            let complementary = |c: &Cell<f64>| c.suppression() == Some(Suppression::Complementary);
            let mean_hidden = |w: CoreWave| match w {
                CoreWave::Pre => complementary(&on_page[0][0].mean_from),
                CoreWave::Post => complementary(&on_page[0][0].mean_to),
                CoreWave::Followup => complementary(&on_page[1][0].mean_to),
            };
            let waves: Vec<m::WaveResult> = CoreWave::ALL
                .iter()
                .filter_map(|w| {
                    let values: Vec<f64> = scores(code, *w).into_values().collect();
                    let s = stats::describe(&values);
                    let n = s.n as u64;
                    let hidden = mean_hidden(*w);
                    (n > 0).then(|| m::WaveResult {
                        wave: wave_of(*w),
                        n: d.count(n),
                        mean: if hidden {
                            d.complementary_mean()
                        } else {
                            d.mean(s.mean.unwrap_or(0.0), n)
                        },
                        sd: if hidden {
                            d.complementary_mean()
                        } else {
                            d.mean(s.sd.unwrap_or(0.0), if s.sd.is_some() { n } else { 0 })
                        },
                    })
                })
                .collect();
            let change = |to: CoreWave| {
                let from_scores = scores(code, CoreWave::Pre);
                let to_scores = scores(code, to);
                let moved = if to == CoreWave::Post {
                    on_page[0][0].moved
                } else {
                    on_page[1][0].moved
                };
                paired_change(
                    (code, aim, text),
                    (&from_scores, &to_scores),
                    to,
                    (&open, moved),
                    d,
                )
            };
            let follow_up =
                (!scores(code, CoreWave::Followup).is_empty()).then(|| change(CoreWave::Followup));
            let result = m::StatementResult {
                short: short_label(text),
                text: text.to_owned(),
                waves,
                paired: change(CoreWave::Post),
                follow_up,
            };
            match by_aim.iter_mut().find(|a| a.aim == aim) {
                Some(a) => a.statements.push(result),
                None => by_aim.push(m::AimResult {
                    aim: aim.to_owned(),
                    role: label.clone(),
                    statements: vec![result],
                }),
            }
        }
        aims.extend(by_aim);
    }
    m::Evaluation {
        response_rates,
        aims,
    }
}

/// A chart label for a statement: its first few words.
fn short_label(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = words.iter().take(5).copied().collect::<Vec<_>>().join(" ");
    if words.len() > 5 {
        out.push('…');
    }
    out
}

/// The paired change to `to_wave`; `moved` is who moved as the results page shows it, whose
/// complementary suppressions the report follows.
fn paired_change(
    statement: (&str, &str, &str),
    (from, to): (&BTreeMap<String, f64>, &BTreeMap<String, f64>),
    to_wave: CoreWave,
    (open, moved): (&DisclosureRule, evaluation::Moved),
    d: &Disclosure,
) -> m::PairedChange {
    let diffs: Vec<f64> = from
        .iter()
        .filter_map(|(code, x)| to.get(code).map(|y| y - x))
        .collect();
    let n = diffs.len() as u64;
    let up = diffs.iter().filter(|x| **x > 0.0).count() as u64;
    let down = diffs.iter().filter(|x| **x < 0.0).count() as u64;
    let same = n - up - down;
    let compared = evaluation::compare(statement, from, to, open);
    let mean = stats::describe(&diffs).mean.unwrap_or(0.0);
    let complementary = |c: &Cell<f64>| c.suppression() == Some(Suppression::Complementary);
    let count = |k: u64, page: &Cell<f64>| {
        if complementary(page) {
            d.complementary_count()
        } else {
            d.count(k)
        }
    };
    let percent = |k: u64, page: &Cell<f64>| {
        if complementary(page) {
            d.complementary_percent()
        } else {
            d.percent(k, n)
        }
    };
    // Without a test result there is nothing to show: disclose over no one.
    let tested = |v: Option<f64>| match v {
        Some(v) if v.is_finite() => d.statistic(v, n),
        _ => d.statistic(0.0, 0),
    };
    m::PairedChange {
        from: Wave::Pre,
        to: wave_of(to_wave),
        n: d.count(n),
        mean_change: d.mean(mean, n),
        moved_up: count(up, &moved.up),
        same: count(same, &moved.same),
        moved_down: count(down, &moved.down),
        moved_up_pct: percent(up, &moved.up),
        same_pct: percent(same, &moved.same),
        moved_down_pct: percent(down, &moved.down),
        effect_size_r: tested(compared.effect_r),
        p_value: tested(compared.p_value),
        test: match compared.method {
            Some("approx") => "Wilcoxon signed-rank, normal approximation".into(),
            Some(method) => format!("Wilcoxon signed-rank, {method}"),
            None => "Wilcoxon signed-rank".into(),
        },
    }
}

async fn actions(store: &Store, cycle: &Cycle, d: &Disclosure) -> Result<m::Actions> {
    let all: Vec<_> = store
        .actions_of_scheme(cycle.scheme_id)
        .await?
        .into_iter()
        .filter(|a| a.cycle_id == cycle.id)
        .collect();
    let pairs: BTreeMap<i64, (i64, i64)> = store
        .pairs_of_cycle(cycle.id)
        .await?
        .iter()
        .map(|p| (p.id, (p.mentor_id, p.mentee_id)))
        .collect();
    let by_status = ActionStatus::ALL
        .iter()
        .map(|s| {
            let n = all.iter().filter(|a| a.status() == *s).count() as u64;
            category(d, &capitalise(s.label()), n)
        })
        .collect();
    let mut you_said_we_did = Vec::new();
    for a in all
        .iter()
        .filter(|a| matches!(a.status(), ActionStatus::InProgress | ActionStatus::Done))
    {
        let evidence = store.evidence_of(a.id).await?;
        let we_did = match evidence.last() {
            Some(e) => e.body.clone(),
            None => a.description.clone(),
        };
        let owner = match pairs.get(&a.pair_id) {
            Some((_, mentee)) if *mentee == a.owner_id => "The staff mentee",
            Some((mentor, _)) if *mentor == a.owner_id => "The student mentor",
            _ => "A member of staff",
        };
        you_said_we_did.push(m::YouSaidWeDid {
            you_said: a.title.clone(),
            we_did,
            owner: owner.into(),
            status: capitalise(a.status().label()),
        });
    }
    Ok(m::Actions {
        by_status,
        you_said_we_did,
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Proposals accepted in design sprints that started in the cycle's academic year.
async fn proposals(store: &Store, cycle: &Cycle) -> Result<Vec<m::Proposal>> {
    let year = cycle.year();
    let mut out = Vec::new();
    for sprint in store.sprints().await? {
        let in_year = NaiveDate::parse_from_str(&sprint.starts_on, "%Y-%m-%d")
            .map(|d| AcademicYear::containing(d) == year)
            .unwrap_or(false);
        if !in_year {
            continue;
        }
        for item in store.sprint_items(sprint.id).await? {
            if item.decision.map(|d| d.get()) != Some(Decision::Accepted) {
                continue;
            }
            out.push(m::Proposal {
                sprint: format!("{}, {}", sprint.faculty_name, sprint.title),
                title: item
                    .action_title
                    .clone()
                    .unwrap_or_else(|| item.title.clone()),
                summary: item.body.clone(),
                owner: item
                    .action_owner
                    .clone()
                    .unwrap_or_else(|| "Not yet named".into()),
                status: item
                    .action_status
                    // No action recorded yet (a decided proposal before its action).
                    .map_or(Implementation::NotStarted, |s| s.get())
                    .label()
                    .to_owned(),
                evidence: None,
            });
        }
    }
    Ok(out)
}

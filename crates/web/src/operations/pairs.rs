//! Ending a pair early; re-matching someone left without a partner (for the pairs page and
//! the API alike); nudging stuck pairs.
use crate::error::AppError;
use crate::handlers::mentoring::matching::rules;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::cycle_matching::{self, mentee_key, mentor_key};
use flipside_core::matching::{MatchedPair, MatchingProblem, PairRef};
use flipside_core::scheme::BoundedText;
use flipside_store::{Cycle, NewAuditEntry, Pair, PairStatus, Scheme};
use std::collections::BTreeSet;

/// Ends a pair early, in one transaction: the pair's new state with the reason, the audit
/// entry, and the members who leave the scheme (so that re-matching leaves them out). If any
/// of it fails, the pair stays active and nothing is recorded.
pub async fn end_early(
    state: &AppState,
    actor: Actor<'_>,
    cycle_id: i64,
    pair_id: i64,
    reason: &BoundedText,
    leaving: &[i64],
    leaving_as_chosen: &str,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.end_pair_early(pair_id, reason.as_str()).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "pair_ended_early",
        subject_kind: "pair",
        subject_id: Some(pair_id),
        detail: &format!("leaving: {leaving_as_chosen}"),
        address: actor.address,
    })
    .await?;
    for user_id in leaving {
        tx.add_leaver(cycle_id, *user_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Who a nudge of the cycle's active pairs would email (see `flipside_core::nudge`).
pub async fn stuck_members(
    state: &AppState,
    pairs: &[Pair],
) -> Result<Vec<flipside_core::nudge::Nudge>, AppError> {
    use flipside_core::meetings::MeetingStatus;
    use flipside_core::nudge::{PairFacts, nudges};
    let mut facts = Vec::new();
    for p in pairs.iter().filter(|p| p.status() == PairStatus::Active) {
        let meetings = state.store.meetings_of_pair(p.id).await?;
        facts.push(PairFacts {
            pair_id: p.id,
            members: [p.mentor_id, p.mentee_id],
            accepted: state
                .store
                .agreements(p.id)
                .await?
                .iter()
                .map(|a| a.user_id)
                .collect(),
            met: meetings.iter().any(|m| m.status() == MeetingStatus::Held),
            arranged: meetings.iter().any(|m| {
                matches!(
                    m.status(),
                    MeetingStatus::Proposed | MeetingStatus::Confirmed
                )
            }),
        });
    }
    Ok(nudges(&facts))
}

/// A coordinator's nudge: one email to each member of a stuck active pair (at most one a day
/// for each reason) and the audit entry, in one transaction. Returns how many emails were
/// queued now.
pub async fn nudge(
    state: &AppState,
    actor: Actor<'_>,
    (cycle, scheme): (&Cycle, &Scheme),
    pairs: &[Pair],
) -> Result<usize, AppError> {
    use crate::mail::messages::{PairNudge, Recipient};
    let stuck = stuck_members(state, pairs).await?;
    let day = state.today().await?.to_string();
    let year = cycle.year().to_string();
    let mut emails = Vec::new();
    for n in &stuck {
        let Some(pair) = pairs.iter().find(|p| p.id == n.pair_id) else {
            continue;
        };
        let member = state.store.user(n.member).await?;
        let partner = pair
            .partner_of(n.member)
            .map(|(_, name)| name.to_string())
            .unwrap_or_default();
        let anchor = match n.kind {
            flipside_core::nudge::NudgeKind::Agreement => "agreement",
            flipside_core::nudge::NudgeKind::Meet => "meetings",
        };
        let link = state.settings.link(&format!("pairs/{}#{anchor}", pair.id));
        emails.push(
            PairNudge {
                pair_id: pair.id,
                member_id: n.member,
                kind: n.kind,
                day: &day,
                partner: &partner,
                scheme: &scheme.name,
                year: &year,
                link: &link,
            }
            .to(Recipient {
                name: &member.display_name,
                email: &member.email,
            }),
        );
    }
    let mut tx = state.store.begin().await?;
    let mut queued = 0;
    for e in &emails {
        if tx.enqueue_email(&e.as_new()).await? {
            queued += 1;
        }
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "pairs_nudged",
        subject_kind: "cycle",
        subject_id: Some(cycle.id),
        detail: &format!(
            "{queued} emails queued, {} already sent today",
            emails.len() - queued
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(queued)
}

/// Everyone who can still be in a pair of a cycle, and the pairs that stand.
pub struct Standing {
    pub problem: MatchingProblem,
    /// Active pairs, as the matcher names them.
    pub published: Vec<PairRef>,
}

/// Someone without a partner, as the pairs page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpartnered {
    /// The matcher's id (`m12`, `e7`): the `{person}` of the re-match routes.
    pub key: String,
    pub name: String,
    /// "mentor" or "staff mentee".
    pub side: &'static str,
}

impl Standing {
    /// The people in the problem without an active pair.
    pub fn without_partner(&self) -> Vec<Unpartnered> {
        let paired: BTreeSet<&str> = self
            .published
            .iter()
            .flat_map(|p| [p.mentor.as_str(), p.mentee.as_str()])
            .collect();
        let side = |list: &[flipside_core::matching::Participant], noun: &'static str| {
            list.iter()
                .filter(|p| !paired.contains(p.id.as_str()))
                .map(|p| Unpartnered {
                    key: p.id.clone(),
                    name: p.label().to_string(),
                    side: noun,
                })
                .collect::<Vec<_>>()
        };
        let mut out = side(&self.problem.mentors, "mentor");
        out.extend(side(&self.problem.mentees, "staff mentee"));
        out
    }

    /// The name of a person of the problem, by matcher id.
    pub fn label(&self, key: &str) -> String {
        self.problem
            .mentors
            .iter()
            .chain(&self.problem.mentees)
            .find(|p| p.id == key)
            .map(|p| p.label().to_string())
            .unwrap_or_default()
    }
}

/// The people of the cycle who can still be paired: accepted, not gone from the scheme and
/// not in a completed pair. Pairs that ended early are never made again.
pub async fn standing(
    state: &AppState,
    cycle_id: i64,
    pairs: &[Pair],
) -> Result<Standing, AppError> {
    let leavers: BTreeSet<i64> = state
        .store
        .leavers_of(cycle_id)
        .await?
        .into_iter()
        .collect();
    let completed: BTreeSet<i64> = pairs
        .iter()
        .filter(|p| p.status() == PairStatus::Completed)
        .flat_map(|p| [p.mentor_id, p.mentee_id])
        .collect();
    let ended: Vec<(i64, i64)> = pairs
        .iter()
        .filter(|p| p.status() == PairStatus::EndedEarly)
        .map(|p| (p.mentor_id, p.mentee_id))
        .collect();
    let keep = |c: &cycle_matching::Candidate| {
        !leavers.contains(&c.user_id) && !completed.contains(&c.user_id)
    };
    let mut mentors = state.store.accepted_mentors(cycle_id).await?;
    let mut mentees = state.store.accepted_mentees(cycle_id).await?;
    mentors.retain(keep);
    mentees.retain(keep);
    let rules = rules(state, cycle_id, &ended).await?;
    let problem = cycle_matching::problem(&mentors, &mentees, &rules);
    let published = pairs
        .iter()
        .filter(|p| p.status() == PairStatus::Active)
        .map(|p| PairRef::new(mentor_key(p.mentor_id), mentee_key(p.mentee_id)))
        .filter(|p| {
            problem.mentors.iter().any(|x| x.id == p.mentor)
                && problem.mentees.iter().any(|x| x.id == p.mentee)
        })
        .collect();
    Ok(Standing { problem, published })
}

/// The new pair a re-match proposes.
#[derive(Debug, Clone)]
pub struct ProposedRematch {
    pub mentor: String,
    pub mentee: String,
    /// Why the matcher proposes it, in words.
    pub reason: String,
    pub cost: i64,
    /// The pair as applying it names it: `mentor_key:mentee_key`.
    pub code: String,
    pub pair: MatchedPair,
}

/// The re-match of one person left without a partner.
#[derive(Debug, Clone)]
pub struct RematchProposal {
    /// The person's name.
    pub person: String,
    /// The best allowed partner among those free; `None` when nobody free may be paired
    /// with them under the rules.
    pub proposal: Option<ProposedRematch>,
}

/// The proposal for re-matching `person` (a matcher id, `m12` or `e7`) of the cycle, leaving
/// every other pair as it is. `NotFound` unless the person is without a partner; `Conflict`
/// when the cycle's pairs cannot be read as a matching (someone in two pairs).
pub async fn rematch_proposal(
    state: &AppState,
    cycle_id: i64,
    person: &str,
) -> Result<RematchProposal, AppError> {
    let pairs = state.store.pairs_of_cycle(cycle_id).await?;
    let s = standing(state, cycle_id, &pairs).await?;
    if !s.without_partner().iter().any(|u| u.key == person) {
        return Err(AppError::NotFound);
    }
    let r = cycle_matching::rematch_person(s.problem.clone(), &s.published, person)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    Ok(RematchProposal {
        person: s.label(person),
        proposal: r.added.first().map(|p| ProposedRematch {
            mentor: s.label(&p.mentor),
            mentee: s.label(&p.mentee),
            reason: p.explanation.summary.clone(),
            cost: p.cost.total,
            code: format!("{}:{}", p.mentor, p.mentee),
            pair: p.clone(),
        }),
    })
}

/// What applying a re-match did.
#[derive(Debug, Clone)]
pub enum Rematched {
    /// The proposed pair is published (both members emailed); no other pair changed.
    Published(Box<ProposedRematch>),
    /// The proposal is not the one the caller saw (`expect`), or there is none: nothing was
    /// published.
    Changed,
}

/// Applies the re-match of `person` if its proposal is still the pair `expect` names
/// (`mentor_key:mentee_key`, as the caller saw it): publishes that one pair through
/// [`crate::operations::matching::publish`] (the pair, the mentor's role, the audit entry,
/// the emails and the webhook event in one transaction).
pub async fn rematch(
    state: &AppState,
    actor: Actor<'_>,
    (cycle, scheme): (&Cycle, &Scheme),
    person: &str,
    expect: &str,
) -> Result<Rematched, AppError> {
    let proposal = rematch_proposal(state, cycle.id, person).await?;
    let Some(p) = proposal.proposal.filter(|p| p.code == expect) else {
        return Ok(Rematched::Changed);
    };
    crate::operations::matching::publish(
        state,
        actor,
        cycle,
        scheme,
        std::slice::from_ref(&p.pair),
    )
    .await?;
    Ok(Rematched::Published(Box::new(p)))
}

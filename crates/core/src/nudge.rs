//! A coordinator's nudge (issue 14): one click emails the members of active pairs that are
//! stuck: whoever has not accepted the expectations agreement, and both members of a pair
//! that has agreed but has neither met nor arranged a meeting.

/// Why a member is nudged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NudgeKind {
    /// They have not accepted the expectations agreement.
    Agreement,
    /// Their pair has not met and has no meeting arranged.
    Meet,
}

impl NudgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NudgeKind::Agreement => "agreement",
            NudgeKind::Meet => "meet",
        }
    }
}

/// What the nudge needs to know of an active pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairFacts {
    pub pair_id: i64,
    pub members: [i64; 2],
    /// The members who have accepted the expectations agreement.
    pub accepted: Vec<i64>,
    /// A meeting has been held.
    pub met: bool,
    /// A meeting is proposed or confirmed (not declined, not yet held).
    pub arranged: bool,
}

/// One email of a nudge: (pair, member, why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Nudge {
    pub pair_id: i64,
    pub member: i64,
    pub kind: NudgeKind,
}

/// Who a nudge emails, pair by pair: a member who has not accepted the agreement is asked to;
/// once both have, a pair that has neither met nor arranged a meeting is asked to arrange one
/// (both members). Pairs on track are left alone.
pub fn nudges(pairs: &[PairFacts]) -> Vec<Nudge> {
    let mut out = Vec::new();
    for p in pairs {
        let missing: Vec<i64> = p
            .members
            .iter()
            .copied()
            .filter(|m| !p.accepted.contains(m))
            .collect();
        if !missing.is_empty() {
            out.extend(missing.into_iter().map(|member| Nudge {
                pair_id: p.pair_id,
                member,
                kind: NudgeKind::Agreement,
            }));
        } else if !p.met && !p.arranged {
            out.extend(p.members.iter().map(|&member| Nudge {
                pair_id: p.pair_id,
                member,
                kind: NudgeKind::Meet,
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(id: i64, accepted: &[i64], met: bool, arranged: bool) -> PairFacts {
        PairFacts {
            pair_id: id,
            members: [id * 10 + 1, id * 10 + 2],
            accepted: accepted.to_vec(),
            met,
            arranged,
        }
    }

    #[test]
    fn stuck_pairs_are_nudged_and_pairs_on_track_are_left_alone() {
        let n = nudges(&[
            // Neither accepted: both asked to accept.
            pair(1, &[], false, false),
            // One accepted: the other is asked.
            pair(2, &[21], false, false),
            // Both accepted, nothing arranged: both asked to meet.
            pair(3, &[31, 32], false, false),
            // A meeting is arranged, or held: nobody.
            pair(4, &[41, 42], false, true),
            pair(5, &[51, 52], true, false),
        ]);
        let got: Vec<(i64, &str)> = n.iter().map(|n| (n.member, n.kind.as_str())).collect();
        assert_eq!(
            got,
            [
                (11, "agreement"),
                (12, "agreement"),
                (22, "agreement"),
                (31, "meet"),
                (32, "meet")
            ]
        );
        assert!(nudges(&[]).is_empty());
    }
}

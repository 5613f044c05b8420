//! Reverse mentoring, from a scheme's cycles through recruitment, invitations and matching to
//! pairs at work: meetings, notes, actions and concerns.
pub mod actions;
pub mod concerns;
pub mod cycle_pairs;
pub mod cycles;
pub mod invitations;
pub mod matching;
pub mod meetings;
pub mod pair_page;
pub mod pairs;
pub mod plan;
pub mod recruitment;
pub mod schemes;

//! Evaluation: instruments and their scale labels, each cycle's statements, survey waves, answering surveys, results.
pub mod chart;
pub mod cycle_instrument;
pub mod instruments;
pub mod results;
pub mod surveys;
pub mod waves;

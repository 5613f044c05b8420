//! Evaluation: instruments and their scale labels, survey waves, answering surveys, results.
pub mod chart;
pub mod instruments;
pub mod results;
pub mod surveys;
pub mod waves;

//! flipside's integration tests: one binary, each test with its own server on port 0 and its
//! own fresh database on the backend `FLIPSIDE_TEST_DATABASE` names (`sqlite`, the default,
//! or `postgres`). A requested backend that cannot be reached fails the test; it is never
//! skipped.
mod access;
mod accounts;
mod actions;
mod api;
mod consents;
mod cycles;
mod demo;
mod email;
mod helpers;
mod identity;
mod import;
mod matching;
mod meetings;
mod oidc;
mod operations;
mod parsing;
mod people;
mod plan;
mod population;
mod privacy;
mod recruitment;
mod reports;
mod results;
mod return_to_page;
mod schemes;
mod security;
mod sign_in;
mod snapshots;
mod sprints;
mod surveys;
mod telling;
mod time_zone;
mod tutoring;
mod tutoring_students;

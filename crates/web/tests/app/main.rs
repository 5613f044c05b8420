//! flipside's integration tests: one binary, each test with its own server on port 0 and its
//! own fresh database on the backend `FLIPSIDE_TEST_DATABASE` names (`sqlite`, the default,
//! or `postgres`). A requested backend that cannot be reached fails the test; it is never
//! skipped.
mod access;
mod accounts;
mod actions;
mod api;
mod chats;
mod codebook;
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
mod quotes;
mod recruitment;
mod reports;
mod results;
mod schemes;
mod security;
mod sign_in;
mod snapshots;
mod sprints;
mod surveys;
mod tutoring;
mod tutoring_students;

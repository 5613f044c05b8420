//! Academic personal tutoring: importing the institution, allocating tutors, tutors' and
//! students' records, contacts, profiles, change requests and the consistency dashboard.
pub mod allocation;
pub mod dashboard;
pub mod import;
pub mod records;
pub mod students;

//! Real `flipside` processes under faults and in numbers (issue 15): two instances on one
//! PostgreSQL database (their email and webhook workers sharing one outbox), and a server
//! killed mid-write. One test binary, so one link.
mod common;
mod durability;
mod instances;
mod webhooks;

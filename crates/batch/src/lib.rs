//! The batch interfaces whose shapes are fixed by SPEC §3.14 and relied on by outside checks:
//! `flipside analyse` and `flipside allocate`. Each module owns its command-line arguments and
//! reads and writes CSV/JSON; the arithmetic lives in `flipside-core`.
#![forbid(unsafe_code)]

pub mod allocate;
pub mod analyse;

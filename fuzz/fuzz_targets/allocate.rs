//! The tutors and edges CSVs of `flipside allocate`, separated by a NUL byte.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| flipside_fuzz::check_allocate(data));

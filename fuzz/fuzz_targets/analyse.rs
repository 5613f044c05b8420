//! The responses CSV of `flipside analyse`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| flipside_fuzz::check_analyse(data));

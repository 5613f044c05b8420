//! A cycle's meeting plan and expectations as coordinators write them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| flipside_fuzz::check_meeting_plan(data));

//! The tutors CSV of an institution's import (`flipside import`, /admin/import).
#![no_main]

use flipside_fuzz::{ImportFile, check_import};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| check_import(ImportFile::Tutors, data));

//! `sqlx::migrate!` embeds the migrations when the crate compiles, but Cargo does not know that
//! it reads them: a new migration file alone would not rebuild the crate, and the binary would
//! run without it. This tells Cargo to rebuild when anything under `migrations/` changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

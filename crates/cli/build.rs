//! Linker arguments for the release binary (see `build/link.rs`): packed relocations and the
//! functions of `hot-code.txt` laid out together, where the toolchain and C library allow.
use std::path::Path;
use std::process::Command;

#[path = "build/link.rs"]
mod link;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/link.rs");
    println!("cargo:rerun-if-changed=hot-code.txt");
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let target = env("TARGET");
    let linker_variable = format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_uppercase().replace(['-', '.'], "_")
    );
    println!("cargo:rerun-if-env-changed={linker_variable}");
    let rustflags = env("CARGO_ENCODED_RUSTFLAGS");
    let linker_chosen = std::env::var_os(&linker_variable).is_some()
        || ["linker", "fuse-ld", "link-self-contained"]
            .iter()
            .any(|flag| rustflags.contains(flag));
    let rustc = output_of(Command::new(env("RUSTC")).arg("--version")).unwrap_or_default();
    let libc = output_of(Command::new("getconf").arg("GNU_LIBC_VERSION"));
    let hot_code = Path::new(&env("CARGO_MANIFEST_DIR")).join("hot-code.txt");
    let list = std::fs::read_to_string(&hot_code).unwrap_or_default();
    let plan = link::plan(
        &link::Build {
            profile: &env("PROFILE"),
            host: &env("HOST"),
            target: &target,
            rustc: &rustc,
            libc: libc.as_deref(),
            linker_chosen,
            hot_code_rustc: link::hot_code_rustc(&list),
        },
        &hot_code.display().to_string(),
    );
    for arg in plan.args {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    if let Some(warning) = plan.warning {
        println!("cargo:warning={warning}");
    }
}

/// A command's standard output, trimmed, if it ran and succeeded.
fn output_of(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

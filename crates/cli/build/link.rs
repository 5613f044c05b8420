//! What the release build asks of the linker, decided from facts about the build alone (pure,
//! unit-tested in `main.rs`; `build.rs` gathers the facts). Both requests only change where
//! things lie in the binary and how it is relocated, never what it does; what they save is a
//! started server's resident memory (bench/pages/README.md, "Idle memory").
//!
//! - **Packed relative relocations** (`-z pack-relative-relocs`, DT_RELR): a position-
//!   independent binary carries one 24-byte entry per pointer to fix up at start (about 4 MB
//!   here, all read at every start); packed, a few tens of KB. glibc reads them from 2.36, and
//!   a binary that has them refuses to start on an older one, so only when the C library the
//!   build links against (the host's: no cross build) is 2.36 or later.
//! - **Hot code together** (`--symbol-ordering-file`, lld only; GNU ld has no such option): the
//!   functions in `hot-code.txt` first, so start-up does not touch code all over the binary.
//!   Symbol names change with the compiler, so only with the rustc the list was made with.

/// Facts about one build of the `flipside` binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build<'a> {
    /// Cargo's `PROFILE`: `release` for release and bench builds.
    pub profile: &'a str,
    pub host: &'a str,
    pub target: &'a str,
    /// `rustc --version`, e.g. `rustc 1.95.0 (59807616e 2026-04-14)`.
    pub rustc: &'a str,
    /// `getconf GNU_LIBC_VERSION`, e.g. `glibc 2.36`; `None` without glibc.
    pub libc: Option<&'a str>,
    /// Whether configuration picks the linker (`CARGO_TARGET_<triple>_LINKER`, or a linker
    /// flag in RUSTFLAGS): then lld is not known to be the one.
    pub linker_chosen: bool,
    /// The `# rustc …` line of `hot-code.txt`, without the `# `.
    pub hot_code_rustc: Option<&'a str>,
}

/// Linker arguments for the binary, and a warning for whoever builds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub args: Vec<String>,
    pub warning: Option<String>,
}

/// The first line of `hot-code.txt` naming the rustc it was made with.
pub fn hot_code_rustc(list: &str) -> Option<&str> {
    list.lines()
        .filter_map(|l| l.strip_prefix("# "))
        .find(|l| l.starts_with("rustc "))
}

pub fn plan(build: &Build, hot_code_path: &str) -> Plan {
    let mut plan = Plan::default();
    let native_gnu_linux = build.host == build.target && build.target.ends_with("-linux-gnu");
    if build.profile != "release" || !native_gnu_linux {
        return plan;
    }
    if build
        .libc
        .and_then(glibc_version)
        .is_some_and(|v| v >= (2, 36))
    {
        plan.args.push("-Wl,-z,pack-relative-relocs".to_string());
    }
    // rustc links x86_64-unknown-linux-gnu with its own lld from 1.90 on.
    let lld = build.target == "x86_64-unknown-linux-gnu"
        && rustc_minor(build.rustc).is_some_and(|m| m >= 90)
        && !build.linker_chosen;
    if lld {
        match build.hot_code_rustc {
            Some(made_with) if made_with == build.rustc => {
                plan.args
                    .push(format!("-Wl,--symbol-ordering-file={hot_code_path}"));
                // Names the list has and this build does not (code since changed) are fine.
                plan.args.push("-Wl,--no-warn-symbol-ordering".to_string());
            }
            _ => {
                plan.warning = Some(format!(
                    "crates/cli/hot-code.txt was made with {}, and this is {}: the binary works \
                     the same, but a started server keeps about 10 MiB more of it in memory; \
                     bench/pages/hot_code.py makes the list again",
                    build.hot_code_rustc.unwrap_or("no rustc named"),
                    build.rustc
                ));
            }
        }
    }
    plan
}

/// `glibc 2.36` → (2, 36).
fn glibc_version(libc: &str) -> Option<(u32, u32)> {
    let (major, minor) = libc.strip_prefix("glibc ")?.trim().split_once('.')?;
    let minor = minor.split('.').next()?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// `rustc 1.95.0 (…)` → 95, for a 1.x compiler.
fn rustc_minor(rustc: &str) -> Option<u32> {
    let version = rustc.strip_prefix("rustc ")?.split([' ', '-']).next()?;
    let mut parts = version.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUSTC: &str = "rustc 1.95.0 (59807616e 2026-04-14)";
    const X86: &str = "x86_64-unknown-linux-gnu";

    fn release() -> Build<'static> {
        Build {
            profile: "release",
            host: X86,
            target: X86,
            rustc: RUSTC,
            libc: Some("glibc 2.36"),
            linker_chosen: false,
            hot_code_rustc: Some(RUSTC),
        }
    }

    const RELR: &str = "-Wl,-z,pack-relative-relocs";
    const ORDER: &str = "-Wl,--symbol-ordering-file=hot-code.txt";

    #[test]
    fn a_release_build_with_lld_and_glibc_2_36_packs_relocations_and_orders_the_hot_code() {
        let plan = plan(&release(), "hot-code.txt");
        assert_eq!(
            plan.args,
            [RELR, ORDER, "-Wl,--no-warn-symbol-ordering"].map(String::from)
        );
        assert_eq!(plan.warning, None);
    }

    #[test]
    fn debug_builds_and_cross_builds_ask_nothing_of_the_linker() {
        let debug = Build {
            profile: "debug",
            ..release()
        };
        let cross = Build {
            target: "aarch64-unknown-linux-gnu",
            ..release()
        };
        let musl = Build {
            host: "x86_64-unknown-linux-musl",
            target: "x86_64-unknown-linux-musl",
            ..release()
        };
        for build in [debug, cross, musl] {
            assert_eq!(plan(&build, "hot-code.txt"), Plan::default(), "{build:?}");
        }
    }

    #[test]
    fn relocations_are_packed_only_where_the_c_library_reads_them() {
        for (libc, packed) in [
            (Some("glibc 2.35"), false),
            (Some("glibc 2.36"), true),
            (Some("glibc 2.41"), true),
            (Some("glibc 3.0"), true),
            (Some("glibc 1.99"), false),
            (Some("something else"), false),
            (None, false),
        ] {
            let plan = plan(&Build { libc, ..release() }, "hot-code.txt");
            assert_eq!(plan.args.iter().any(|a| a == RELR), packed, "{libc:?}");
            assert!(plan.args.iter().any(|a| a == ORDER), "{libc:?}");
        }
    }

    #[test]
    fn the_hot_code_is_ordered_only_by_lld_with_the_rustc_that_made_the_list() {
        // Before 1.90 rustc links with the system's linker (GNU ld: no such option).
        let old = Build {
            rustc: "rustc 1.89.0 (29483883e 2025-08-04)",
            ..release()
        };
        assert_eq!(plan(&old, "hot-code.txt").args, [RELR]);
        let chosen = Build {
            linker_chosen: true,
            ..release()
        };
        assert_eq!(plan(&chosen, "hot-code.txt").args, [RELR]);
        assert_eq!(plan(&chosen, "hot-code.txt").warning, None);
        // Another rustc's symbol names: not used, and whoever builds is told why and what to do.
        let newer = Build {
            rustc: "rustc 1.96.0 (0123456789 2026-05-28)",
            ..release()
        };
        let plan_newer = plan(&newer, "hot-code.txt");
        assert_eq!(plan_newer.args, [RELR]);
        let warning = plan_newer.warning.expect("a warning");
        assert!(
            warning.contains(RUSTC) && warning.contains("rustc 1.96.0"),
            "{warning}"
        );
        assert!(warning.contains("bench/pages/hot_code.py"), "{warning}");
        let unnamed = Build {
            hot_code_rustc: None,
            ..release()
        };
        assert_eq!(plan(&unnamed, "hot-code.txt").args, [RELR]);
        assert!(plan(&unnamed, "hot-code.txt").warning.is_some());
    }

    #[test]
    fn versions_are_read_from_what_rustc_and_getconf_print() {
        assert_eq!(rustc_minor(RUSTC), Some(95));
        assert_eq!(
            rustc_minor("rustc 1.97.0-nightly (abc 2026-06-01)"),
            Some(97)
        );
        assert_eq!(rustc_minor("rustc 2.0.0 (abc 2030-01-01)"), None);
        assert_eq!(rustc_minor(""), None);
        assert_eq!(glibc_version("glibc 2.36"), Some((2, 36)));
        assert_eq!(glibc_version("glibc 2.39.1"), Some((2, 39)));
        assert_eq!(glibc_version("musl 1.2"), None);
    }

    /// The list in the repository names the rustc it was made with and is nothing but symbol
    /// names (lld reads one per line; a stray word would be a symbol it warns about).
    #[test]
    fn the_hot_code_list_names_its_rustc_and_holds_only_symbol_names() {
        let list = include_str!("../hot-code.txt");
        let made_with = hot_code_rustc(list).expect("a `# rustc …` line");
        assert!(rustc_minor(made_with).is_some(), "{made_with}");
        let names: Vec<&str> = list.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(names.len() > 1000, "{} names", names.len());
        for name in &names {
            assert!(
                !name.is_empty() && !name.contains(char::is_whitespace),
                "not a symbol name: {name:?}"
            );
        }
        // Sections (start-up first, then serving), each sorted by name; no name twice.
        let mut sections = vec![vec![]];
        for line in list.lines() {
            if line.starts_with('#') {
                sections.push(vec![]);
            } else {
                sections.last_mut().expect("one").push(line);
            }
        }
        for section in &sections {
            assert!(section.windows(2).all(|w| w[0] < w[1]), "a section sorted");
        }
        let distinct: std::collections::HashSet<&&str> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "a name listed twice");
        assert!(
            names.iter().any(|n| n.contains("8flipside")),
            "flipside's own functions"
        );
    }
}

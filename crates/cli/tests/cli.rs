//! The `flipside` binary as an operator uses it.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn flipside() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_flipside"));
    // Start from a clean environment for flipside's own settings.
    for (k, _) in std::env::vars() {
        if k.starts_with("FLIPSIDE_") || k == "DATABASE_URL" {
            c.env_remove(k);
        }
    }
    c
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("flipside-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn every_command_has_help() {
    for cmd in [
        vec![],
        vec!["serve"],
        vec!["demo"],
        vec!["migrate"],
        vec!["admin"],
        vec!["admin", "grant"],
        vec!["analyse"],
        vec!["allocate"],
    ] {
        let out = flipside().args(&cmd).arg("--help").output().unwrap();
        assert!(out.status.success(), "{cmd:?} --help failed");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage:"),
            "{cmd:?}"
        );
    }
}

#[test]
fn a_misspelt_setting_stops_start_up_naming_it() {
    let out = flipside()
        .args(["serve", "--data-dir"])
        .arg(temp_dir("bad"))
        .env("FLIPSIDE_LISTN", "127.0.0.1:1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("FLIPSIDE_LISTN"), "{err}");
    let out = flipside()
        .args(["serve", "--listen", "nowhere"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
}

/// Starts `flipside demo`, waits for it to print its address, and returns what it printed.
fn run_demo_once(dir: &std::path::Path) -> String {
    let mut child = flipside()
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("coordinator@demo.flipside.test") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    printed
}

#[test]
fn demo_prints_its_address_and_accounts_and_reuses_its_data() {
    let dir = temp_dir("demo");
    let first = run_demo_once(&dir);
    assert!(
        first.contains("flipside is listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(first.contains("flipside-demo"));
    assert!(dir.join("flipside.db").exists());
    let list = |dir: &std::path::Path| {
        let out = flipside()
            .args(["admin", "--data-dir"])
            .arg(dir)
            .arg("list-users")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    let people = list(&dir);
    assert!(people >= 10, "{people}");
    run_demo_once(&dir);
    assert_eq!(
        list(&dir),
        people,
        "a second start must not duplicate the demo"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn admin_creates_a_person_and_grants_a_role() {
    let dir = temp_dir("admin");
    let run = |args: &[&str]| {
        flipside()
            .arg("admin")
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .env("FLIPSIDE_NEW_PASSWORD", "a long enough password")
            .output()
            .unwrap()
    };
    assert!(
        run(&[
            "create-user",
            "--email",
            "first@example.ac.uk",
            "--name",
            "First Admin"
        ])
        .status
        .success()
    );
    let out = run(&["grant", "--email", "first@example.ac.uk", "--role", "admin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[
        "grant",
        "--email",
        "first@example.ac.uk",
        "--role",
        "wizard",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role 'wizard'"));
    let out = run(&["list-users"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("first@example.ac.uk\tFirst Admin\tadmin")
    );
    let _ = std::fs::remove_dir_all(dir);
}

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
        vec!["import"],
        vec!["generate-institution"],
        vec!["qualitative"],
        vec!["qualitative", "export"],
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

#[test]
fn import_writes_an_institution_once_and_refuses_a_bad_file_naming_lines() {
    let dir = temp_dir("import");
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let write = |name: &str, text: &str| {
        let p = files.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let schools = write(
        "schools.csv",
        "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\n",
    );
    let tutors = write(
        "tutors.csv",
        "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada@example.ac.uk,LAW,10\n",
    );
    let students = write(
        "students.csv",
        "student_id,name,email,school_code,programme,year_of_study\nS1,Cat Marsh,cat@example.ac.uk,LAW,LLB Law,2\nS2,Dan Reed,dan@example.ac.uk,LAW,LLB Law,1\n",
    );
    let assignments = write(
        "assignments.csv",
        "student_id,tutor_id,academic_year\nS1,T1,2024/25\n",
    );
    let data = dir.join("data");
    let import = |extra: &[&std::path::Path]| {
        let mut c = flipside();
        c.arg("import").arg("--data-dir").arg(&data);
        for (flag, path) in ["--schools", "--tutors", "--students", "--assignments"]
            .iter()
            .zip(extra)
        {
            c.arg(flag).arg(path);
        }
        c.output().unwrap()
    };
    let all = [
        schools.as_path(),
        tutors.as_path(),
        students.as_path(),
        assignments.as_path(),
    ];
    let out = import(&all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("students     2 added, 0 updated, 0 unchanged"),
        "{stdout}"
    );
    assert!(stdout.contains("assignments  1 added"), "{stdout}");

    let out = import(&all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("students     0 added, 0 updated, 2 unchanged"),
        "{stdout}"
    );
    assert!(stdout.contains("Nothing changed"), "{stdout}");

    // A valid new student before a bad line: the command fails and writes neither.
    let bad = write(
        "students.csv",
        "student_id,name,email,school_code,programme,year_of_study\nS3,Eve Lark,eve@example.ac.uk,LAW,LLB Law,1\nS4,Finn Oake,finn@example,LAWX,LLB Law,9\n",
    );
    let out = flipside()
        .args(["import", "--data-dir"])
        .arg(&data)
        .arg("--students")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("3 problems found; nothing was written"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("students.csv line 3, column email: 'finn@example' is not an email address"),
        "{stderr}"
    );
    assert!(
        stderr.contains("students.csv line 3, column school_code: unknown School 'LAWX'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("students.csv line 3, column year_of_study:"),
        "{stderr}"
    );
    let only_eve = write(
        "students.csv",
        "student_id,name,email,school_code,programme,year_of_study\nS3,Eve Lark,eve@example.ac.uk,LAW,LLB Law,1\n",
    );
    let out = flipside()
        .args(["import", "--dry-run", "--data-dir"])
        .arg(&data)
        .arg("--students")
        .arg(&only_eve)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.starts_with("Dry run: nothing was written"),
        "{stdout}"
    );
    assert!(
        stdout.contains("students     1 added"),
        "S3 was written by the failed import: {stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generated_institutions_are_the_same_for_the_same_seed() {
    let dir = temp_dir("generate");
    for sub in ["a", "b"] {
        let out = flipside()
            .args([
                "generate-institution",
                "--students",
                "300",
                "--tutors",
                "20",
                "--out",
            ])
            .arg(dir.join(sub))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let read = |sub: &str| std::fs::read_to_string(dir.join(sub).join("students.csv")).unwrap();
    assert_eq!(read("a"), read("b"));
    assert_eq!(read("a").lines().count(), 301);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `flipside qualitative export` writes the demo's closed cycle (cycle 1: the first the demo
/// creates) as a REFI-QDA project that validates against the standard's schema, naming
/// participants by pseudonym only; a cycle that does not exist is refused with the reason.
#[test]
fn qualitative_export_writes_a_valid_project_without_names_or_emails() {
    let dir = temp_dir("qualitative");
    run_demo_once(&dir);
    let out_file = dir.join("cycle-1.qdpx");
    let out = flipside()
        .args(["qualitative", "export", "--cycle", "1", "--data-dir"])
        .arg(&dir)
        .arg("--out")
        .arg(&out_file)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("23 chat(s)"), "{printed}");

    let unzipped = dir.join("unzipped");
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(&out_file)
        .arg("-d")
        .arg(&unzipped)
        .status()
        .expect("unzip is needed to open the .qdpx");
    assert!(unzip.success());
    let qde = unzipped.join("project.qde");
    let xsd = dir.join("Project.xsd");
    std::fs::write(&xsd, flipside_core::qualitative::refi::PROJECT_XSD).unwrap();
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&qde)
        .output()
        .expect("xmllint (libxml2-utils) is needed to validate the export");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );

    // Everything written: the project and every source text.
    let mut written = std::fs::read_to_string(&qde).unwrap();
    let sources = std::fs::read_dir(unzipped.join("sources")).unwrap();
    let mut source_count = 0;
    for entry in sources {
        written.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        source_count += 1;
    }
    assert_eq!(source_count, 23);
    assert!(written.contains("Mentor 1") && written.contains("Senior leader 1"));
    assert!(written.contains("Coder 2"), "two coders");
    assert!(!written.contains('@'), "no email address");
    let users = flipside()
        .args(["admin", "--data-dir"])
        .arg(&dir)
        .arg("list-users")
        .output()
        .unwrap();
    let users = String::from_utf8_lossy(&users.stdout);
    let mut names = 0;
    for line in users.lines() {
        // email, name, roles
        let mut fields = line.split('\t');
        let (Some(email), Some(name)) = (fields.next(), fields.next()) else {
            continue;
        };
        assert!(!written.contains(email), "{email} appears in the export");
        assert!(!written.contains(name), "{name} appears in the export");
        names += 1;
    }
    assert!(names > 40, "the check saw the demo's people: {users}");

    let bad = flipside()
        .args(["qualitative", "export", "--cycle", "999", "--data-dir"])
        .arg(&dir)
        .arg("--out")
        .arg(dir.join("none.qdpx"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("there is no cycle 999"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(!dir.join("none.qdpx").exists());
    let _ = std::fs::remove_dir_all(dir);
}

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
        vec!["report"],
        vec!["person"],
        vec!["person", "export"],
        vec!["retention"],
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

/// A demo organisation in `dir`; returns the id of its institutional scheme's closed cycle.
fn demo_with_closed_cycle(dir: &std::path::Path) -> i64 {
    with_store(dir, async |store| {
        store.migrate().await.unwrap();
        flipside_web::demo::ensure(store).await.unwrap();
        let scheme = store
            .schemes()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.kind == "institutional")
            .unwrap();
        store
            .cycles_of(scheme.id)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.state == "closed")
            .unwrap()
            .id
    })
}

/// What the demo's closed cycle shows under the publication rule (26 pairs matched, 25
/// completed; mentors answered 25 of 26 before and 20 after; staff 16 and 7 of 26).
const REPORT_FIGURES_HTML: &[&str] = &[
    "<data class=\"fig fig-count\" value=\"25\">25</data>",
    "<data class=\"fig fig-percent\" value=\"96\">96%</data>",
];
/// Figures the rule hides or rounds away: the raw 26 pairs and invitations, and 7 staff answers.
const REPORT_HIDDEN_HTML: &[&str] = &["value=\"26\"", "value=\"7\"", ">26<", ">7<"];
#[cfg(feature = "pdf")]
const REPORT_FIGURES_PDF: &[&str] = &[
    "96%",
    "Every figure follows the publication rule",
    "Students who applied",
];
#[cfg(feature = "pdf")]
const REPORT_HIDDEN_PDF: &[&str] = &[];

/// The counts a report page marks up as figures.
fn printed_counts(page: &str) -> Vec<u64> {
    page.split("<data class=\"fig fig-count\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

fn report(dir: &std::path::Path, scope: &[&str], format: &str, out: &std::path::Path) -> String {
    let mut cmd = flipside();
    cmd.arg("report")
        .args(scope)
        .args(["--format", format, "--out"])
        .arg(out)
        .arg("--data-dir")
        .arg(dir);
    let run = succeeded(cmd, &format!("report {scope:?} {format}"));
    String::from_utf8_lossy(&run.stderr).into_owned()
}

/// Runs the command and checks that it succeeded, showing what it printed on error if not.
fn succeeded(mut cmd: Command, what: &str) -> std::process::Output {
    let run = cmd.output().unwrap();
    assert!(
        run.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    run
}

#[test]
fn report_writes_the_demo_cycle_as_html_and_pdf_under_the_publication_rule() {
    let dir = temp_dir("report");
    let cycle = demo_with_closed_cycle(&dir);
    let html = dir.join("report.html");
    report(&dir, &["--cycle", &cycle.to_string()], "html", &html);
    let page = std::fs::read_to_string(&html).unwrap();
    for expected in REPORT_FIGURES_HTML {
        assert!(page.contains(expected), "the HTML lacks {expected}");
    }
    let counts = printed_counts(&page);
    assert!(counts.len() > 20, "only {} counts printed", counts.len());
    for n in counts {
        assert_eq!(n % 5, 0, "the count {n} is printed, not rounded to 5");
    }
    for hidden in REPORT_HIDDEN_HTML {
        assert!(!page.contains(hidden), "the HTML shows the hidden {hidden}");
    }

    #[cfg(feature = "pdf")]
    check_pdf(&dir, cycle);

    let year = dir.join("year.html");
    report(&dir, &["--year", "2025"], "html", &year);
    let page = std::fs::read_to_string(&year).unwrap();
    assert!(page.contains("2025/26"), "the year report names its year");
    assert!(page.contains("Reverse Mentoring"), "{page}");

    let missing = flipside()
        .args(["report", "--cycle", "999999", "--format", "html", "--out"])
        .arg(dir.join("none.html"))
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no cycle 999999"));
    assert!(!dir.join("none.html").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(feature = "pdf")]
fn check_pdf(dir: &std::path::Path, cycle: i64) {
    let pdf = dir.join("report.pdf");
    report(dir, &["--cycle", &cycle.to_string()], "pdf", &pdf);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed to read the PDF");
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in REPORT_FIGURES_PDF {
        assert!(text.contains(expected), "the PDF lacks {expected}");
    }
    for hidden in REPORT_HIDDEN_PDF {
        assert!(!text.contains(hidden), "the PDF shows the hidden {hidden}");
    }
    // The raw 26 (pairs, mentors invited) is never printed: only the academic year holds it.
    // (7, the staff who answered after, cannot be told from page numbers this way; the
    // report crate's walk of every printed number covers it.)
    let without_years = text.replace("2025/26", " ").replace("2026/27", " ");
    let tokens: Vec<&str> = without_years
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .filter(|t| !t.is_empty())
        .collect();
    assert!(!tokens.contains(&"26"), "the PDF prints a raw 26");
    assert!(
        tokens.contains(&"25") && tokens.contains(&"40"),
        "rounded counts are printed"
    );
}
#[test]
fn person_export_writes_everything_held_and_refuses_an_unknown_email() {
    let dir = temp_dir("export");
    let created = flipside()
        .args(["admin", "--data-dir"])
        .arg(&dir)
        .args([
            "create-user",
            "--email",
            "Held@Example.ac.uk",
            "--name",
            "Held Person",
            "--no-password",
        ])
        .output()
        .unwrap();
    assert!(created.status.success());
    let out_file = dir.join("held.json");
    let out = flipside()
        .args(["person", "export", "--data-dir"])
        .arg(&dir)
        .args(["--email", "held@example.ac.uk", "--out"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(json["person"]["display_name"], "Held Person");
    let kinds = json["kinds"].as_array().unwrap();
    assert!(
        kinds.iter().any(|k| k["kind"] == "account"),
        "the account itself is exported: {json}"
    );
    let out = flipside()
        .args(["person", "export", "--data-dir"])
        .arg(&dir)
        .args(["--email", "nobody@example.ac.uk", "--out"])
        .arg(dir.join("nobody.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nobody@example.ac.uk"), "{err}");
    assert!(!dir.join("nobody.json").exists());
    let _ = std::fs::remove_dir_all(dir);
}
#[test]
fn retention_dry_run_prints_a_line_per_kind_and_apply_deletes_and_settings_are_checked() {
    let dir = temp_dir("retention");
    let run = |args: &[&str]| {
        flipside()
            .arg("retention")
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    for key in [
        "unsuccessful_applications",
        "private_notes",
        "audit_log",
        "emails",
    ] {
        assert!(
            printed
                .lines()
                .any(|l| l.contains(&format!("({key}): would delete 0 rows: nothing"))),
            "{printed}"
        );
    }
    assert_eq!(
        printed.lines().count(),
        14,
        "13 rules and the total: {printed}"
    );
    let out = run(&["--apply"]);
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("total: deleted 0 rows"), "{printed}");
    assert!(!run(&[]).status.success(), "one of --dry-run or --apply");
    assert!(!run(&["--dry-run", "--apply"]).status.success());
    let config = dir.join("flipside.toml");
    std::fs::write(&config, "[retention]\nemail_months = 1\n").unwrap();
    let out = flipside()
        .args(["retention", "--dry-run", "--data-dir"])
        .arg(&dir)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("email_months"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
/// Runs `f` on the organisation in `dir`, in-process (to choose people and seed rows).
fn with_store<T>(dir: &std::path::Path, f: impl AsyncFnOnce(&flipside_store::Store) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = flipside_store::Store::open_sqlite(dir).await.unwrap();
        let out = f(&store).await;
        store.close().await;
        out
    })
}

/// Each table of an export with its number of rows.
fn table_rows(export: &serde_json::Value) -> std::collections::BTreeMap<String, usize> {
    export["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["tables"].as_object().unwrap())
        .map(|(t, rows)| (t.clone(), rows.as_array().unwrap().len()))
        .collect()
}

fn export(dir: &std::path::Path, email: &str, out_file: &std::path::Path) -> serde_json::Value {
    let mut cmd = flipside();
    cmd.args(["person", "export", "--email", email, "--out"])
        .arg(out_file)
        .arg("--data-dir")
        .arg(dir);
    succeeded(cmd, &format!("person export {email}"));
    serde_json::from_str(&std::fs::read_to_string(out_file).unwrap()).unwrap()
}

/// On the demo organisation: a mentor of the closed cycle's export holds every row the store
/// holds on them (application, pair, notes, chat, ...), and a tutored student who never signed
/// in (held by email only) can be exported too.
#[test]
fn person_export_of_demo_people_holds_every_row_the_store_holds_on_them() {
    let dir = temp_dir("export-demo");
    let cycle = demo_with_closed_cycle(&dir);
    let (mentor, expected, student) = with_store(&dir, async |store| {
        let pair = &store.pairs_of_cycle(cycle).await.unwrap()[0];
        let mentor = store.user(pair.mentor_id).await.unwrap().email;
        let person = store.privacy_person(&mentor).await.unwrap();
        let expected = serde_json::to_value(
            store
                .export_person(&person, chrono::Utc::now())
                .await
                .unwrap(),
        )
        .unwrap();
        let school = store.schools().await.unwrap()[0].id;
        let mut student = None;
        for s in store.tutoring_students_of_school(school).await.unwrap() {
            if store.user_by_email(&s.email).await.is_err() {
                student = Some(s.email);
                break;
            }
        }
        let student = student.expect("a tutored student without an account");
        (mentor, expected, student)
    });
    let json = export(&dir, &mentor.to_uppercase(), &dir.join("mentor.json"));
    let rows = table_rows(&json);
    assert_eq!(
        rows,
        table_rows(&expected),
        "the file holds what the store holds"
    );
    for table in ["applications", "pairs", "users", "role_grants"] {
        assert!(
            rows.get(table).is_some_and(|&n| n > 0),
            "no {table}: {rows:?}"
        );
    }

    let json = export(&dir, &student, &dir.join("student.json"));
    assert_eq!(
        json["person"]["user_id"],
        serde_json::Value::Null,
        "no account"
    );
    let rows = table_rows(&json);
    for table in ["tutoring_students", "tutoring_assignments"] {
        assert!(
            rows.get(table).is_some_and(|&n| n > 0),
            "no {table}: {rows:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// What one retention line says for a rule: (verb, rows).
fn retention_line(printed: &str, rule: &str) -> (String, u64) {
    let line = printed
        .lines()
        .find(|l| l.contains(&format!("({rule}): ")))
        .unwrap_or_else(|| panic!("no line for {rule}: {printed}"));
    let rest = &line[line.find("): ").unwrap() + 3..];
    let (verb, rest) = rest.split_at(rest.find(|c: char| c.is_ascii_digit()).unwrap());
    let rows = rest.split(' ').next().unwrap().parse().unwrap();
    (verb.trim().to_string(), rows)
}

/// With rows past their period, the dry run names them per rule and why, `--apply` deletes
/// exactly those, a second run deletes nothing, and `--config` changes the periods.
#[test]
fn retention_applies_what_the_dry_run_printed_once_under_the_configured_periods() {
    let dir = temp_dir("retention-data");
    let migrated = flipside()
        .args(["migrate", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(migrated.status.success());
    // Two years ago: an email sent and a failed sign-in; both past their default periods
    // (3 months and 1 month).
    let old = (chrono::Utc::now() - chrono::Duration::days(730)).to_rfc3339();
    with_store(&dir, async |store| {
        for sql in [
            format!(
                "INSERT INTO outbox (dedup_key, to_address, to_name, subject, body_text, status, next_attempt_at, created_at, sent_at) VALUES ('old', 'old@uni.example', 'Old', 'Hi', 'Hello', 'sent', '{old}', '{old}', '{old}')"
            ),
            format!(
                "INSERT INTO login_failures (account, address, at) VALUES ('old@uni.example', '10.0.0.1', '{old}')"
            ),
        ] {
            store.execute_admin(&sql).await.unwrap();
        }
    });
    let run = |args: &[&str]| {
        let mut cmd = flipside();
        cmd.arg("retention").args(args).arg("--data-dir").arg(&dir);
        let out = succeeded(cmd, &format!("retention {args:?}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let config = dir.join("long.toml");
    std::fs::write(&config, "[retention]\nemails_months = 36\n").unwrap();
    let configured = run(&["--dry-run", "--config", config.to_str().unwrap()]);
    assert_eq!(retention_line(&configured, "emails").1, 0, "{configured}");
    assert_eq!(retention_line(&configured, "login_failures").1, 1);

    let dry = run(&["--dry-run"]);
    assert_eq!(
        retention_line(&dry, "emails"),
        ("would delete".into(), 1),
        "{dry}"
    );
    assert_eq!(
        retention_line(&dry, "login_failures"),
        ("would delete".into(), 1)
    );
    assert!(dry.contains("(3 months after it was sent on "), "{dry}");
    assert!(dry.contains("total: would delete 2 rows"), "{dry}");
    let applied = run(&["--apply"]);
    assert_eq!(
        retention_line(&applied, "emails"),
        ("deleted".into(), 1),
        "{applied}"
    );
    assert!(applied.contains("total: deleted 2 rows"), "{applied}");
    assert!(
        run(&["--apply"]).contains("total: deleted 0 rows"),
        "idempotent"
    );
    let runs = with_store(&dir, async |store| store.retention_runs().await.unwrap());
    assert_eq!(runs.len(), 2, "each applied run is recorded");
    let _ = std::fs::remove_dir_all(dir);
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

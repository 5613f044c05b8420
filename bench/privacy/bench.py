#!/usr/bin/env python3
"""Timings of personal data on the full-size demo (issue 13).

Starts `flipside demo` on a fresh data directory (SQLite: the full-size institution, 38,000
students, 2,500 tutors, a year of contacts, the mentoring cycles), stops it once it is
ready, then times, N times each, as the data protection officer runs them:

- `flipside person export --email E --out FILE.json` for the tutored student with the most
  contacts (held by email only, no account), for the demo coordinator (an account with an
  application, a pair, notes, a chat and many audit entries), and for a tutor;
- `flipside retention --dry-run` (every rule over the whole database), then `--apply` (the
  same, deleting what is due and recording the run; on a fresh demo nothing is due yet);
- the same two once more after moving every tutoring year back seven years, so that the
  tutoring rule deletes all 38,000 students and their records in batches.

Each time is the whole command: start-up, opening and migrating the database, the work, and
writing the file. Prints min and median per command. Standard library only.
"""
import argparse
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time


def ready_demo(binary, data_dir):
    began = time.monotonic()
    proc = subprocess.Popen(
        [binary, "demo", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, RUST_LOG="warn"),
    )
    for line in proc.stdout:
        if "coordinator@demo.flipside.test" in line:
            break
    proc.terminate()
    proc.wait()
    return time.monotonic() - began


def timed(cmd, n):
    times = []
    for _ in range(n):
        began = time.monotonic()
        out = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.monotonic() - began)
        if out.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr}")
    return times, out.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/flipside")
    ap.add_argument("-n", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="flipside-privacy-bench-") as data_dir:
        print(f"demo ready in {ready_demo(args.bin, data_dir):.1f} s")
        db = sqlite3.connect(os.path.join(data_dir, "flipside.db"))
        students, contacts = db.execute(
            "SELECT (SELECT count(*) FROM tutoring_students), (SELECT count(*) FROM tutoring_contacts)"
        ).fetchone()
        print(f"{students} tutored students, {contacts} contacts")
        student, = db.execute(
            "SELECT s.email FROM tutoring_students s JOIN tutoring_contacts c ON c.student_id = s.id "
            "GROUP BY s.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        tutor, = db.execute(
            "SELECT t.email FROM tutoring_tutors t JOIN tutoring_contacts c ON c.tutor_id = t.id "
            "GROUP BY t.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        db.close()
        out = os.path.join(data_dir, "person.json")
        rows = []
        for who, email in [
            ("tutored student (no account)", student),
            ("coordinator (account)", "coordinator@demo.flipside.test"),
            ("tutor with most contacts", tutor),
        ]:
            times, printed = timed(
                [args.bin, "person", "export", "--data-dir", data_dir, "--email", email, "--out", out],
                args.n,
            )
            rows.append((f"person export: {who}", times, printed.split(" on ")[0].removeprefix("Wrote ")))
        times, printed = timed([args.bin, "retention", "--dry-run", "--data-dir", data_dir], args.n)
        rows.append(("retention --dry-run", times, printed.strip().splitlines()[-1]))
        times, printed = timed([args.bin, "retention", "--apply", "--data-dir", data_dir], args.n)
        rows.append(("retention --apply", times, printed.strip().splitlines()[-1]))
        # Then at scale: every tutoring year moved back seven years, so that all 38,000
        # students left more than six years ago and the tutoring rule deletes them all (with
        # their contacts, labels, profiles and requests), in batches; timed once, as it deletes.
        db = sqlite3.connect(os.path.join(data_dir, "flipside.db"))
        for table in ["tutoring_assignments", "tutoring_contacts", "tutoring_change_requests",
                      "tutoring_allocation_drafts"]:
            db.execute(f"UPDATE {table} SET academic_year = academic_year - 7")
        db.commit()
        db.close()
        for flag in ["--dry-run", "--apply"]:
            times, printed = timed([args.bin, "retention", flag, "--data-dir", data_dir], 1)
            line = next(l for l in printed.splitlines() if "(tutoring_records)" in l)
            rows.append((f"retention {flag}, every student past six years", times,
                         line.split(": ")[1]))
        print(f"\n| command | min s | median s | output |\n| --- | --- | --- | --- |")
        for name, times, printed in rows:
            print(f"| {name} | {min(times):.2f} | {statistics.median(times):.2f} | {printed} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Soak test: a steady mixed load on the full-size demo for ten minutes.

Starts `flipside demo` (the release build) on a fresh data directory, SQLite unless
--database-url is given, signs in as every demo role, and sends requests at a fixed rate
(open loop: each request leaves at its scheduled time whether or not earlier ones have been
answered, and its latency counts from that time). The mix: each role's busiest pages, and
writes at a steady share of the rate (tutors and students logging tutoring contacts, the
members of a mentoring pair writing notes). Every minute it prints the requests, errors
(anything but 200 for a page or 303 for a form) and p50/p99 latency of that minute; every
10 s it samples the server's resident memory. Standard library only.

    python3 bench/soak/soak.py --bin target/release/flipside --minutes 10 --rate 40
"""
import argparse
import concurrent.futures
import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "flipside-demo"
DEMO = "@demo.flipside.test"

# (weight, role, method, path or form writer). Paths use the demo's fixed ids: cycle 1 is last
# year's closed cycle, cycle 2 this year's, pair 27 the active pair of mentor2 and mentee2, and
# S025461 (record 25461) the demo tutor's tutee who is the demo student.
READS = [
    (6, "coordinator", "/"),
    (4, "coordinator", "/cycles/2"),
    (3, "coordinator", "/cycles/1/results"),
    (2, "coordinator", "/tutoring/dashboard"),
    (2, "law.coordinator", "/"),
    (3, "mentor2", "/pairs/27"),
    (3, "mentee2", "/pairs/27"),
    (2, "mentor", "/"),
    (2, "mentee", "/"),
    (4, "tutor", "/"),
    (5, "tutor", "/tutoring/tutees"),
    (3, "student", "/"),
    (3, "student", "/tutoring/students/25461"),
    (3, "student.lead", "/tutoring/dashboard"),
    (3, "school.lead", "/tutoring/dashboard"),
    (2, "researcher", "/cycles/1/results"),
    (2, "admin", "/admin/people"),
    (1, "admin", "/admin/audit"),
]


def contact(student_id, by):
    def form(today):
        return "/tutoring/contacts", {
            "student": student_id, "date": today, "mode": random.choice(["in_person", "online"]),
            "duration": str(random.choice([15, 20, 30])), "initiated_by": by,
            "note": "Talked about the term so far (soak test).",
        }
    return form


def note(shared):
    def form(_today):
        fields = {"note_body": "A note written under load (soak test)."}
        if shared:
            fields["note_shared"] = "on"
        return "/pairs/27/notes", fields
    return form


WRITES = [
    (3, "tutor", contact("S025461", "tutor")),
    (1, "student", contact("S025461", "student")),
    (2, "mentor2", note(False)),
    (2, "mentee2", note(True)),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, data_dir, database_url):
    port = free_port()
    env = dict(os.environ, RUST_LOG="warn")
    if database_url:
        env["DATABASE_URL"] = database_url
    proc = subprocess.Popen(
        [binary, "demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    for line in proc.stdout:
        if "flipside is listening on" in line:
            # Keep reading the output so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, f"http://127.0.0.1:{port}"
    raise SystemExit(f"flipside exited before listening (code {proc.wait()})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Forms answer 303: the soak counts that answer rather than following it."""

    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One signed-in role: its cookies and the CSRF token for its forms."""

    def __init__(self, base, role):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        page = self.opener.open(f"{base}/sign-in").read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"email": role + DEMO, "password": PASSWORD, "next": "/",
                                       "csrf": csrf}).encode()
        try:
            self.opener.open(f"{base}/sign-in", data=body).read()
        except urllib.error.HTTPError as e:
            if e.code != 303:
                raise
        # Signing in rotates the CSRF cookie: the token of any page after it is the one.
        home = self.opener.open(f"{base}/").read().decode()
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)

    def request(self, method, path, fields=None):
        """Returns the status code (HTTP errors included)."""
        data = None
        if method == "POST":
            data = urllib.parse.urlencode(dict(fields, csrf=self.csrf)).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            e.read()
            return e.code


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/flipside")
    ap.add_argument("--database-url", help="run on PostgreSQL instead of SQLite")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=float, default=40, help="requests per second, all together")
    ap.add_argument("--write-share", type=float, default=0.1,
                    help="share of the requests that are writes")
    ap.add_argument("--json", help="also write the per-minute figures to this file")
    args = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="flipside-soak-")
    proc, base = start(args.bin, data_dir, args.database_url)
    try:
        roles = sorted({r for _, r, _ in READS} | {r for _, r, _ in WRITES})
        sessions = {r: Session(base, r) for r in roles}
        today = time.strftime("%Y-%m-%d", time.gmtime())
        results = []  # (second since start, latency ms, ok, kind)
        lock = threading.Lock()
        rss = []  # (second, KiB)

        def one(at, kind, role, method, path, fields):
            status = sessions[role].request(method, path, fields)
            latency = (time.monotonic() - at) * 1000
            ok = status == (303 if method == "POST" else 200)
            with lock:
                results.append((at - began, latency, ok, kind, status, path))

        read_weights = [w for w, _, _ in READS]
        write_weights = [w for w, _, _ in WRITES]
        interval = 1 / args.rate
        total = int(args.minutes * 60 * args.rate)
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=64)
        began = time.monotonic()
        next_sample = 0.0
        print(f"soak: {args.rate:g} requests/s for {args.minutes:g} min, "
              f"{args.write_share:.0%} writes, against {base} (pid {proc.pid})", flush=True)
        rss.append((0, rss_kib(proc.pid)))
        reported = 0
        for i in range(total):
            at = began + i * interval
            now = time.monotonic()
            if at > now:
                time.sleep(at - now)
            if random.random() < args.write_share:
                _, role, form = random.choices(WRITES, write_weights)[0]
                path, fields = form(today)
                pool.submit(one, at, "write", role, "POST", path, fields)
            else:
                _, role, path = random.choices(READS, read_weights)[0]
                pool.submit(one, at, "read", role, "GET", path, None)
            elapsed = time.monotonic() - began
            if elapsed >= next_sample + 10:
                next_sample += 10
                rss.append((round(next_sample), rss_kib(proc.pid)))
            if elapsed >= (reported + 1) * 60:
                reported += 1
                report_minute(results, lock, reported, rss)
        pool.shutdown(wait=True)
        rss.append((round(time.monotonic() - began), rss_kib(proc.pid)))
        minutes = int(args.minutes + 0.999)
        while reported < minutes:
            reported += 1
            report_minute(results, lock, reported, rss)
        summary = summarise(results, rss, args)
        print(json.dumps(summary["total"], indent=1))
        print("RSS MiB every 10 s:", " ".join(f"{k / 1024:.0f}" for _, k in rss))
        errors = [r for r in results if not r[2]]
        for r in errors[:20]:
            print(f"error: {r[5]} answered {r[4]} at {r[0]:.1f} s")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(summary, f, indent=1)
        return 1 if errors else 0
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


def minute_figures(rows):
    lat = [r[1] for r in rows]
    return {
        "requests": len(rows),
        "writes": sum(1 for r in rows if r[3] == "write"),
        "errors": sum(1 for r in rows if not r[2]),
        "p50_ms": round(percentile(lat, 50), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1) if lat else float("nan"),
    }


def report_minute(results, lock, minute, rss):
    with lock:
        rows = [r for r in results if (minute - 1) * 60 <= r[0] < minute * 60]
    f = minute_figures(rows)
    mem = [k for s, k in rss if (minute - 1) * 60 <= s <= minute * 60]
    print(f"minute {minute:>2}: {f['requests']:>5} requests ({f['writes']} writes), "
          f"{f['errors']} errors, p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, "
          f"max {f['max_ms']:.1f} ms, RSS {max(mem, default=0) / 1024:.0f} MiB", flush=True)


def summarise(results, rss, args):
    minutes = int(args.minutes + 0.999)
    per_minute = [minute_figures([r for r in results if (m - 1) * 60 <= r[0] < m * 60])
                  for m in range(1, minutes + 1)]
    total = minute_figures(results)
    total["rss_mib_first"] = round(rss[0][1] / 1024, 1)
    total["rss_mib_last"] = round(rss[-1][1] / 1024, 1)
    total["rss_mib_max"] = round(max(k for _, k in rss) / 1024, 1)
    pages = {}
    for r in results:
        pages.setdefault((r[3], r[5]), []).append(r[1])
    return {
        "rate": args.rate,
        "minutes": args.minutes,
        "write_share": args.write_share,
        "per_minute": per_minute,
        "total": total,
        "rss_kib_every_10s": [k for _, k in rss],
        "pages": {f"{k} {p}": {"n": len(v), "p50_ms": round(percentile(v, 50), 1),
                               "p99_ms": round(percentile(v, 99), 1)}
                  for (k, p), v in sorted(pages.items())},
    }


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Load benchmark of the personal tutoring pages on the full-size demo.

Starts `flipside demo` on a fresh data directory (SQLite unless --database-url is given),
times how long the demo takes to be ready, signs in as the demo's coordinator, Student APT
Lead, School lead and tutor, then GETs each page N times one after another and reports
p50/p99 latency. Standard library only.
"""
import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

PASSWORD = "flipside-demo"
PAGES = [
    ("coordinator@demo.flipside.test", "/tutoring/dashboard"),
    ("student.lead@demo.flipside.test", "/tutoring/dashboard"),
    ("school.lead@demo.flipside.test", "/tutoring/dashboard"),
    ("tutor@demo.flipside.test", "/tutoring/tutees"),
    ("coordinator@demo.flipside.test", "/tutoring/allocation"),
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
    began = time.monotonic()
    proc = subprocess.Popen(
        [binary, "demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    for line in proc.stdout:
        if "flipside is listening on" in line:
            return proc, f"http://127.0.0.1:{port}", time.monotonic() - began
    raise SystemExit(f"flipside exited before listening (code {proc.wait()})")


def signed_in(base, email):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/sign-in").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "next": "/", "csrf": csrf}).encode()
    opener.open(f"{base}/sign-in", data=body).read()
    return opener


def percentile(sorted_ms, p):
    k = max(0, min(len(sorted_ms) - 1, round(p / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", default="target/release/flipside")
    ap.add_argument("-n", type=int, default=200, help="timed requests per page")
    ap.add_argument("--database-url", help="run on PostgreSQL instead of SQLite")
    args = ap.parse_args()
    data_dir = tempfile.mkdtemp(prefix="flipside-bench-")
    proc, base, ready = start(args.bin, data_dir, args.database_url)
    try:
        print(f"demo ready (import, allocation, publish, contacts) in {ready:.1f} s")
        print(f"{'page':<24} {'as':<34} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}")
        for email, path in PAGES:
            opener = signed_in(base, email)
            for _ in range(3):
                opener.open(base + path).read()
            times = []
            for _ in range(args.n):
                t = time.perf_counter()
                with opener.open(base + path) as r:
                    r.read()
                    assert r.status == 200, (path, r.status)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            print(f"{path:<24} {email:<34} {args.n:>5} {percentile(times, 50):>8.1f} {percentile(times, 99):>8.1f}")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

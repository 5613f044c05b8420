#!/usr/bin/env python3
"""Load benchmark of the personal tutoring pages on the full-size demo.

Starts `flipside demo` on a fresh data directory (SQLite unless --database-url is given),
times how long the demo takes to be ready, signs in as the demo's coordinator, Student APT
Lead, School lead and tutor, then GETs each page N times one after another and reports
p50/p99 latency. Standard library only.

With --wrk, it also builds and starts the plain axum server in hello/ and drives each page
with `wrk` at --connections (64) for --seconds, alternating with the hello page in the same
run (hello, page, hello, page, ..., hello), and prints each page's throughput as a share of
the mean of the two hello runs around it, with p50/p99 latency under that load.
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
# The demo's ids: cycle 2 is this year's cycle of the institution's scheme, cycle 1 last year's
# (closed, with its evaluation answered), pair 27 the active pair of the Law School's pilot.
PAGES = [
    ("coordinator@demo.flipside.test", "/"),
    ("coordinator@demo.flipside.test", "/cycles/2"),
    ("mentor2@demo.flipside.test", "/pairs/27"),
    ("coordinator@demo.flipside.test", "/cycles/1/results"),
    ("tutor@demo.flipside.test", "/"),
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


def resident(proc):
    """The process's resident memory as `anonymous + file-backed = total` MiB (/proc status):
    anonymous is the heap and SQLite's caches; file-backed is mostly the binary's own pages."""
    fields = {}
    with open(f"/proc/{proc.pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile", "RssShmem"):
                fields[name] = int(value.split()[0]) / 1024
    anon, file = fields["RssAnon"], fields["RssFile"] + fields.get("RssShmem", 0)
    return f"{anon:.1f} + {file:.1f} = {anon + file:.1f} MiB"


def signed_in(base, email):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/sign-in").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "next": "/", "csrf": csrf}).encode()
    opener.open(f"{base}/sign-in", data=body).read()
    return opener


def cookie_header(opener):
    """The session cookie of a signed-in opener, as wrk's header."""
    jar = next(h.cookiejar for h in opener.handlers
               if isinstance(h, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def build_hello():
    """Builds hello/ in release mode and returns its binary."""
    here = os.path.dirname(os.path.abspath(__file__))
    manifest = os.path.join(here, "hello", "Cargo.toml")
    subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", manifest],
                   check=True)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps", "--manifest-path", manifest],
        check=True, capture_output=True, text=True).stdout
    target = re.search(r'"target_directory":"([^"]+)"', meta).group(1)
    return os.path.join(target, "release", "hello")


def start_hello(binary):
    port = free_port()
    proc = subprocess.Popen([binary, f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if "hello is listening on" in line:
            return proc, f"http://127.0.0.1:{port}/"
    raise SystemExit(f"hello exited before listening (code {proc.wait()})")


# A tutee of the demo's tutor (as in bench/soak/).
CONTACTED_STUDENT = "S025461"

# How long the server is left idle before its resident memory is read.
IDLE_SECONDS = 5

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, seconds, connections, cookie=None):
    """Runs wrk and returns (requests/s, p50 ms, p99 ms, failures: non-2xx/3xx and socket errors)."""
    cmd = ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
           "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))

    def latency(p):
        m = re.search(rf"^\s+{p}%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * UNITS_MS[m.group(2)] if m else float("nan")

    failures = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        failures += sum(int(n) for n in socket.groups())
    return rps, latency(50), latency(99), failures


def load(base, hello_bin, seconds, connections, pages):
    """Every page under wrk, each between two runs of the hello server."""
    hello, hello_url = start_hello(hello_bin)
    try:
        cookies = {email: cookie_header(signed_in(base, email))
                   for email in {e for e, _ in pages if e}}
        print(f"\nwrk, {connections} connections, {seconds} s each, alternating with hello")
        print(f"{'page':<24} {'as':<34} {'req/s':>8} {'of hello':>8} {'p50 ms':>8} "
              f"{'p99 ms':>8} {'failed':>7}")
        before = wrk(hello_url, seconds, connections)
        print(f"{'hello':<24} {'':<34} {before[0]:>8.0f} {'':>8} {before[1]:>8.2f} "
              f"{before[2]:>8.2f} {before[3]:>7}")
        for email, path in pages:
            rps, p50, p99, failed = wrk(base + path, seconds, connections,
                                        cookies.get(email))
            after = wrk(hello_url, seconds, connections)
            share = rps / ((before[0] + after[0]) / 2)
            print(f"{path:<24} {email or 'anonymous':<34} {rps:>8.0f} {share:>8.1%} "
                  f"{p50:>8.1f} {p99:>8.1f} {failed:>7}")
            before = after
        print(f"{'hello':<24} {'(last run)':<34} {before[0]:>8.0f} {'':>8} {before[1]:>8.2f} "
              f"{before[2]:>8.2f} {before[3]:>7}")
    finally:
        hello.terminate()
        hello.wait()


def after_contacts(base, n):
    """The coordinator's dashboard, timed right after each of `n` contacts the demo tutor logs
    through the form: each contact changes the figures, so each request recomputes them."""
    tutor = signed_in(base, "tutor@demo.flipside.test")
    csrf = re.search(r'name="csrf" value="([^"]+)"', tutor.open(f"{base}/").read().decode()).group(1)
    coordinator = signed_in(base, "coordinator@demo.flipside.test")
    coordinator.open(f"{base}/tutoring/dashboard").read()
    times = []
    for _ in range(n):
        body = urllib.parse.urlencode({
            "student": CONTACTED_STUDENT, "date": time.strftime("%Y-%m-%d"), "mode": "online",
            "duration": "20", "initiated_by": "tutor", "note": "Logged by bench.py", "csrf": csrf,
        }).encode()
        tutor.open(f"{base}/tutoring/contacts", data=body).read()
        t = time.perf_counter()
        with coordinator.open(f"{base}/tutoring/dashboard") as r:
            r.read()
            assert r.status == 200, r.status
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"\n/tutoring/dashboard right after each of {n} contacts logged: p50 "
          f"{percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms, "
          f"max {times[-1]:.1f} ms")


def percentile(sorted_ms, p):
    k = max(0, min(len(sorted_ms) - 1, round(p / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", default="target/release/flipside")
    ap.add_argument("-n", type=int, default=200, help="timed requests per page")
    ap.add_argument("--database-url", help="run on PostgreSQL instead of SQLite")
    ap.add_argument("--wrk", action="store_true",
                    help="also drive each page with wrk, alternating with the hello server")
    ap.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    ap.add_argument("--connections", type=int, default=64, help="wrk's connections")
    ap.add_argument("--hello-bin", help="a built hello/ binary (default: build it)")
    ap.add_argument("--after-contacts", type=int, default=0, metavar="N",
                    help="time the coordinator's dashboard right after each of N contacts")
    ap.add_argument("--only", action="append", metavar="PATH",
                    help="only the pages at this path (repeatable; /healthz included)")
    args = ap.parse_args()
    pages = [(e, p) for e, p in [(None, "/healthz")] + PAGES
             if not args.only or p in args.only]
    hello_bin = (args.hello_bin or build_hello()) if args.wrk else None
    data_dir = tempfile.mkdtemp(prefix="flipside-bench-")
    proc, base, ready = start(args.bin, data_dir, args.database_url)
    try:
        print(f"demo ready (import, allocation, publish, contacts) in {ready:.1f} s")
        time.sleep(IDLE_SECONDS)
        print(f"resident {IDLE_SECONDS} s after, idle: {resident(proc)} (anonymous + file)")
        print(f"{'page':<24} {'as':<34} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for email, path in pages:
            if email is None:
                continue
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
            print(f"{path:<24} {email:<34} {args.n:>5} {percentile(times, 50):>8.1f} "
                  f"{percentile(times, 95):>8.1f} {percentile(times, 99):>8.1f}")
        if args.after_contacts:
            after_contacts(base, args.after_contacts)
        if args.wrk:
            load(base, hello_bin, args.seconds, args.connections, pages)
        print(f"resident after the requests: {resident(proc)}")
        proc.terminate()
        proc.wait()
        # Started again on the data it made: what a restarted server holds before any request.
        proc, base, ready = start(args.bin, data_dir, args.database_url)
        time.sleep(IDLE_SECONDS)
        print(f"started again on its data in {ready:.2f} s; resident {IDLE_SECONDS} s after, "
              f"idle: {resident(proc)}")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

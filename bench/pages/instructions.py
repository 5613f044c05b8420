#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: a measure of what a page costs
in flipside's own process (user space: flipside, hyper, tokio, the allocator, SQLite) that the
load on the machine does not move, unlike requests per second under wrk, which moved by a fifth
from run to run on the shared development machine (issue 15).

For each binary given: seeds the full-size demo once with the binary itself (a plain run),
starts it again under callgrind on a copy of that data, signs in as the demo's coordinator (or
--as), and for each page sends a few requests to warm what the server keeps, zeroes the
counters, sends N requests one after another on one keep-alive connection (as wrk does), and
prints the instructions counted per request. The hello server in hello/ is measured the same
way for scale. Needs `apt-get install valgrind`; Python standard library only.

    python3 bench/pages/instructions.py --bin target/release/flipside -n 50 \\
        --only / --only /cycles/2
    # two builds side by side (e.g. before and after a change):
    python3 bench/pages/instructions.py --bin before/flipside --bin after/flipside

Counts under valgrind differ from a native run where code picks its instructions by CPU
feature: SHA-256 (the session token's hash, the CSRF token's HMAC) runs in software under
valgrind and costs about 24,000 instructions a request there, far more than natively.
"""
import argparse
import glob
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import cookie_header, free_port, signed_in, start  # noqa: E402

PAGES = ["/", "/cycles/2", "/cycles/1/results", "/tutoring/allocation"]


def seed(binary, data_dir, database_url=None):
    """Runs the demo once so that the data exists, then stops it once it is idle."""
    proc, _, _ = start(binary, data_dir, database_url)
    wait_until_idle(proc.pid)
    proc.terminate()
    proc.wait()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid, limit=600):
    """Waits until the process has used under 2 % of a core for three seconds running: what a
    server does after it starts (the demo's data analysed, background jobs' first rounds) must
    not be counted with the requests."""
    quiet, last = 0, cpu_seconds(pid)
    for _ in range(limit):
        time.sleep(1)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - last < 0.02 else 0
        last = now
        if quiet >= 3:
            return
    raise SystemExit("the server did not become idle")


def under_callgrind(command, port, out_dir, options=(), env=None):
    """Starts `command` under callgrind (with any further valgrind `options` and environment
    variables) and returns it once it answers on `port` and has gone idle."""
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_dir}/cg.%p", *options]
        + command,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ, RUST_LOG="warn", **(env or {})))
    for _ in range(600):
        try:
            with socket_to(port):
                wait_until_idle(proc.pid)
                return proc
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start under valgrind")


def socket_to(port):
    import socket
    return socket.create_connection(("127.0.0.1", port), timeout=1)


def counted(proc, out_dir, port, path, n, cookie):
    """Instructions per request for n GETs of path on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}

    def get():
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"{path} answered {r.status}")

    for _ in range(5):
        get()
    subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True, capture_output=True)
    for _ in range(n):
        get()
    before = set(glob.glob(f"{out_dir}/cg.{proc.pid}.*"))
    subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, capture_output=True)
    dumped = sorted(set(glob.glob(f"{out_dir}/cg.{proc.pid}.*")) - before, key=os.path.getmtime)
    with open(dumped[-1]) as f:
        total = int(re.search(r"^totals:\s*(\d+)", f.read(), re.M).group(1))
    conn.close()
    return total / n


def measure_flipside(binary, pages, n, email, work):
    data = os.path.join(work, "data")
    seed(binary, data)
    port = free_port()
    proc = under_callgrind([binary, "demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
                           port, work)
    try:
        cookie = cookie_header(signed_in(f"http://127.0.0.1:{port}", email))
        return {p: counted(proc, work, port, p, n, cookie) for p in pages}
    finally:
        proc.terminate()
        proc.wait()


def measure_hello(binary, n, work):
    port = free_port()
    proc = under_callgrind([binary, f"127.0.0.1:{port}"], port, work)
    try:
        return counted(proc, work, port, "/", n, None)
    finally:
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", action="append", required=True,
                    help="flipside release binary (repeat to compare builds)")
    ap.add_argument("--hello-bin", help="the hello server's binary (default: build hello/)")
    ap.add_argument("-n", type=int, default=50, help="requests counted per page")
    ap.add_argument("--only", action="append", help="a page to measure (repeatable)")
    ap.add_argument("--as", dest="email", default="coordinator@demo.flipside.test")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind (apt-get install valgrind)")
    pages = args.only or PAGES
    if args.hello_bin:
        hello_bin = args.hello_bin
    else:
        from bench import build_hello
        hello_bin = build_hello()
    results = []
    for binary in args.bin:
        with tempfile.TemporaryDirectory(prefix="flipside-instructions-") as work:
            results.append(measure_flipside(binary, pages, args.n, args.email, work))
    with tempfile.TemporaryDirectory(prefix="flipside-instructions-") as work:
        hello = measure_hello(hello_bin, args.n, work)
    print(f"instructions per request (callgrind, {args.n} requests each, as {args.email})")
    head = "".join(f"{'bin ' + str(i + 1):>14}" for i in range(len(args.bin)))
    print(f"{'page':<28}{head}")
    for p in pages:
        print(f"{p:<28}" + "".join(f"{r[p]:>14,.0f}" for r in results))
    print(f"{'hello':<28}{hello:>14,.0f}")
    for i, b in enumerate(args.bin):
        print(f"bin {i + 1}: {b}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""API contract testing with schemathesis (PyPI) against a running `flipside demo`.

Usage: contract.py FLIPSIDE_BIN [--max-examples N] [--email E]

Starts the demo on a free port with a fresh data directory, signs in as a demo account (the
programme coordinator unless --email says otherwise), creates an API token on the account page
as a person would, and runs schemathesis over every operation of /api/v1/openapi.json with that
token: every check (no 5xx, responses matching the documented schema and status codes, invalid
input refused, ...). Prints `1 passed, 0 failed` when schemathesis finds nothing; otherwise
prints what it found and exits non-zero. The number of examples per operation is bounded so CI
stays quick; a benchmark run can raise it.
"""
import argparse
import html
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

PASSWORD = "flipside-demo"


def start_demo(binary, data_dir):
    proc = subprocess.Popen(
        [binary, "demo", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        stderr=open(os.path.join(data_dir, "server.log"), "w"),
        text=True,
        env={
            **os.environ,
            "FLIPSIDE_MAIL_DIR": os.path.join(data_dir, "mail"),
            # schemathesis writes far faster than a person: the contract, not the write
            # allowance, is what it checks.
            "FLIPSIDE_WRITES_PER_MINUTE_PER_PERSON": "1000000",
        },
    )
    deadline = time.time() + 600
    for line in proc.stdout:
        m = re.match(r"flipside is listening on (http://[^/]+)/", line)
        if m:
            return proc, m.group(1)
        if time.time() > deadline:
            break
    proc.kill()
    with open(os.path.join(data_dir, "server.log")) as log:
        raise SystemExit("flipside demo did not start:\n" + log.read()[-3000:])


def csrf_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    if not m:
        raise SystemExit("no CSRF token on the page")
    return html.unescape(m.group(1))


def token_for(base, email):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def get(path):
        with opener.open(base + path) as r:
            return r.read().decode()

    def post(path, fields):
        data = urllib.parse.urlencode(fields).encode()
        with opener.open(base + path, data) as r:
            return r.read().decode()

    page = get("/sign-in")
    post("/sign-in", {"csrf": csrf_of(page), "next": "", "email": email, "password": PASSWORD})
    page = get("/account")
    scopes = ["read", "mentoring", "evaluation", "tutoring", "cocreation", "administration"]
    page = post(
        "/account/tokens",
        [("csrf", csrf_of(page)), ("name", "contract tests"), ("days", "")]
        + [("scope", s) for s in scopes],
    )
    m = re.search(r'<p class="token">([^<]+)</p>', page)
    if not m:
        raise SystemExit("the account page did not show a new token")
    return html.unescape(m.group(1)).strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--email", default="coordinator@demo.flipside.test")
    args = parser.parse_args()
    st = shutil.which("schemathesis") or shutil.which("st")
    if not st:
        raise SystemExit("schemathesis is not installed (python3 -m pip install schemathesis)")
    data_dir = tempfile.mkdtemp(prefix="flipside-contract-")
    proc, base = start_demo(args.binary, data_dir)
    try:
        token = token_for(base, args.email)
        started = time.time()
        run = subprocess.run(
            [
                st,
                "--config-file",
                os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml"),
                "run",
                f"{base}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                str(args.max_examples),
                "--seed",
                os.environ.get("CONTRACT_SEED", "20261130"),
            ],
            capture_output=True,
            text=True,
            cwd=data_dir,  # schemathesis keeps a cache in its working directory
            env={
                **os.environ,
                "NO_COLOR": "1",
                # contract_hooks.py, next to this script: fresh Idempotency-Keys.
                "SCHEMATHESIS_HOOKS": "contract_hooks",
                "PYTHONPATH": os.pathsep.join(
                    p
                    for p in [os.path.dirname(os.path.abspath(__file__)), os.environ.get("PYTHONPATH", "")]
                    if p
                ),
            },
        )
        elapsed = time.time() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    if run.returncode != 0:
        print(run.stdout[-20000:])
        print(run.stderr[-5000:], file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    summary = [l for l in run.stdout.splitlines() if "passed" in l or "operations" in l.lower()]
    for line in summary[-5:]:
        print(line)
    print(f"schemathesis ran in {elapsed:.1f} s")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

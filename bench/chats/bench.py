#!/usr/bin/env python3
"""Times a long reflective chat (issue 11): a 10,000-word WebVTT transcript uploaded through
the "Record a chat" form, then its reading page and its coding page, as the demo coordinator.

Starts `flipside demo` on a fresh data directory (SQLite), signs in, picks the demo's past
cycle, uploads the transcript once (timed), then GETs each page N times and prints p50 and max.
Needs Python's `requests`.

    python3 bench/chats/bench.py --bin target/release/flipside -n 20
"""
import argparse
import re
import statistics
import subprocess
import tempfile
import time

import requests

WORDS = ("we talked about the library hours and what a week is really like for students who "
         "commute and work and care for family and how the school could listen").split()


def transcript(words: int) -> str:
    lines, turn, n = ["WEBVTT", ""], 0, 0
    while n < words:
        speaker = "Interviewer" if turn % 2 == 0 else "Mentor"
        text = " ".join(WORDS[(turn + i) % len(WORDS)] for i in range(20))
        s = turn * 10
        lines += [str(turn + 1),
                  f"{s // 3600:02}:{s // 60 % 60:02}:{s % 60:02}.000 --> {s // 3600:02}:{s // 60 % 60:02}:{s % 60 + 9:02}.000",
                  f"<v {speaker}>{text}</v>", ""]
        turn, n = turn + 1, n + 20
    return "\n".join(lines)


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def timed(fn):
    t = time.perf_counter()
    r = fn()
    return r, (time.perf_counter() - t) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/flipside")
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--words", type=int, default=10_000)
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="flipside-chat-bench-")
    server = subprocess.Popen([args.bin, "demo", "--data-dir", data, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = None
        for line in server.stdout:
            m = re.search(r"listening on (http://[^/\s]+)/", line)
            if m:
                base = m.group(1)
                break
        s = requests.Session()
        page = s.get(f"{base}/sign-in").text
        s.post(f"{base}/sign-in", data={"csrf": csrf(page), "email": "coordinator@demo.flipside.test",
                                        "password": "flipside-demo"})
        form = None
        for cycle in range(1, 40):
            r = s.get(f"{base}/cycles/{cycle}/chats/new")
            if r.status_code == 200 and re.search(r'<option value="\d+"', r.text):
                form = r.text
                break
        participant = re.search(r'name="participant".*?<option value="(\d+)"', form, re.S).group(1)
        interviewer = re.search(r'name="interviewer".*?<option value="(\d+)"', form, re.S).group(1)
        vtt = transcript(args.words)
        r, upload_ms = timed(lambda: s.post(
            f"{base}/cycles/{cycle}/chats",
            data={"csrf": csrf(form), "participant": participant, "held_on": "2026-06-01",
                  "stage": "end", "interviewer": interviewer, "text": ""},
            files={"transcript": ("long.vtt", vtt.encode(), "text/vtt")},
            allow_redirects=False))
        assert r.status_code == 303, (r.status_code, r.text[:500])
        chat = r.headers["location"]
        print(f"transcript: {args.words} words, {len(vtt.encode()) // 1024} KiB; upload and store: {upload_ms:.0f} ms")
        for name, path in [("reading page", chat), ("coding page", f"{chat}/code")]:
            times = []
            for _ in range(args.n):
                r, ms = timed(lambda: s.get(f"{base}{path}"))
                assert r.status_code == 200
                times.append(ms)
            print(f"{name} ({len(r.content) // 1024} KiB): p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms, n={args.n}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

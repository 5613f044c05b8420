"""Compares flipside's two-coder agreement with scikit-learn's `cohen_kappa_score` on random
codings (issue 11). Usage:

    cargo build -p flipside-core --example kappa
    python3 tests/reference/kappa/check_live.py target/debug/examples/kappa [--runs N] [--seed S]

Each run is one random text split into segments, coded with one code by two coders (random,
possibly overlapping spans, sometimes none, sometimes identical). The script computes each
coder's yes/no decision per character and per segment (a segment is coded when a span
overlaps it), asks scikit-learn for kappa and numpy for the percentage agreement, and compares
with what the binary printed (to 1e-9; an undefined kappa is NaN in scikit-learn and null in
flipside). Prints each failure, then a last line `P passed, F failed`, and exits non-zero if
anything failed. The seed is printed so that a failure can be reproduced.
"""

import argparse
import json
import math
import random
import subprocess
import sys
import warnings

from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import cohen_kappa_score

# An undefined kappa is expected now and then (both coders coded every unit alike); it is
# compared as NaN against flipside's null, so the warning is noise.
warnings.filterwarnings("ignore", category=UndefinedMetricWarning)


def random_case(rng):
    n = rng.choice([1, 2, 5, 17, 60, 200, 1000])
    cuts = sorted(rng.sample(range(1, n), min(n - 1, rng.randint(0, 12)))) if n > 1 else []
    bounds = [0] + cuts + [n]
    segments = [[bounds[i], bounds[i + 1]] for i in range(len(bounds) - 1)]

    def spans():
        out = []
        for _ in range(rng.choice([0, 1, 2, 3, 5])):
            s = rng.randrange(n)
            e = rng.randint(s + 1, n)
            out.append([s, e])
        return out

    a = spans()
    b = list(a) if rng.random() < 0.1 else spans()
    return {"text_len": n, "segments": segments, "a": a, "b": b}


def decisions(case, spans):
    n = case["text_len"]
    chars = [0] * n
    for s, e in spans:
        for i in range(s, e):
            chars[i] = 1
    segs = [int(any(s < se and ss < e for s, e in spans)) for ss, se in case["segments"]]
    return chars, segs


def reference(case):
    ca, sa = decisions(case, case["a"])
    cb, sb = decisions(case, case["b"])
    out = {}
    for level, x, y in (("character", ca, cb), ("segment", sa, sb)):
        # The labels are given so that a coder who coded nothing still has a 2x2 table.
        k = cohen_kappa_score(x, y, labels=[0, 1])
        pct = 100.0 * sum(1 for p, q in zip(x, y) if p == q) / len(x)
        out[level] = {"percentage": pct, "kappa": None if math.isnan(k) else float(k)}
    return out


def close(x, y):
    if x is None or y is None:
        return x is None and y is None
    return abs(x - y) <= 1e-9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"seed {seed}")
    rng = random.Random(seed)
    cases = [random_case(rng) for _ in range(args.runs)]
    result = subprocess.run(
        [args.binary], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    got = json.loads(result.stdout)
    passed = failed = 0
    for i, (case, mine) in enumerate(zip(cases, got)):
        want = reference(case)
        bad = [
            f"{level} {key}: flipside {mine[level][key]!r}, reference {want[level][key]!r}"
            for level in ("segment", "character")
            for key in ("percentage", "kappa")
            if not close(mine[level][key], want[level][key])
        ]
        if bad:
            failed += 1
            print(f"case {i} {json.dumps(case)}: " + "; ".join(bad))
        else:
            passed += 1
    if len(got) != len(cases):
        failed += 1
        print(f"the binary answered {len(got)} cases of {len(cases)}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

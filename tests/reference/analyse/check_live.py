"""Runs the built `flipside analyse` on fresh random CSVs and compares every number with live
SciPy (to 1e-9). Usage:

    python3 tests/reference/analyse/check_live.py target/release/flipside [--runs N] [--seed S]

Each run is one random file analysed under one random choice of options; it passes when every
item agrees. Prints each failure, then a last line `P passed, F failed`, and exits non-zero
if anything failed. The seed is printed so that a failure can be reproduced.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import analyse, compare, to_csv  # noqa: E402


def random_rows(rng):
    """A survey of a random shape: small or large, with missing answers, shuffled rows."""
    n = rng.choice([1, 2, 3, 5, 7, 9, 12, 13, 14, 20, 25, 40, 51, 80, 300])
    items = [f"item_{k}" for k in range(rng.randint(1, 4))]
    rows = []
    for item in items:
        drift = rng.uniform(-1, 1)
        flat = rng.random() < 0.1  # now and then an item where nobody moves
        for r in range(n):
            respondent = f"p{r:04d}"
            pre = rng.randint(1, 5)
            post = pre if flat else min(5, max(1, round(pre + rng.gauss(drift, 1.2))))
            follow = min(5, max(1, round(post + rng.gauss(0, 0.8))))
            if rng.random() > 0.1:
                rows.append((respondent, "pre", item, pre))
            if rng.random() > 0.25:
                rows.append((respondent, "post", item, post))
            if rng.random() < 0.5:
                rows.append((respondent, "followup", item, follow))
    rng.shuffle(rows)
    return rows


def random_options(rng):
    frm, to = rng.choice([("pre", "post")] * 4 + [("pre", "followup"), ("post", "followup")])
    return {
        "from": frm,
        "to": to,
        "zero_method": rng.choice(["wilcox", "pratt", "zsplit"]),
        "method": rng.choice(["auto", "auto", "exact", "approx"]),
        "correction": rng.random() < 0.5,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", help="path to the built flipside binary")
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"seed {seed}")
    rng = random.Random(seed)

    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            rows = random_rows(rng)
            options = random_options(rng)
            path = os.path.join(tmp, f"responses_{run}.csv")
            with open(path, "w") as f:
                f.write(to_csv(rows, extra_column=rng.random() < 0.5))
            command = [
                args.binary, "analyse", path, "--json",
                "--from", options["from"], "--to", options["to"],
                "--zero-method", options["zero_method"], "--method", options["method"],
            ] + (["--correction"] if options["correction"] else [])
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                problems = [f"exit {result.returncode}: {result.stderr.strip()}"]
            else:
                expected = analyse(
                    rows, frm=options["from"], to=options["to"],
                    zero_method=options["zero_method"], method=options["method"],
                    correction=options["correction"],
                )
                problems = compare(expected, json.loads(result.stdout))
            if problems:
                failed += 1
                print(f"run {run} FAILED ({len(rows)} rows, options {options}):")
                for problem in problems[:10]:
                    print(f"  {problem}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

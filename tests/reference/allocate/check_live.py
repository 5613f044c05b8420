#!/usr/bin/env python3
"""Checks `flipside allocate` against SciPy's linear_sum_assignment on random instances.

Usage: check_live.py FLIPSIDE_BINARY

Each instance is expanded into one column per tutor place (plus one "unplaced" column per
student when there is an unplaced cost), which turns it into a rectangular assignment problem
that SciPy solves exactly. For each case the binary's `total_cost=` must equal SciPy's
optimum, its allocation file must respect capacities and allowed edges and add up to the
total; an infeasible case must exit non-zero naming the number of students that cannot be
placed. Prints `N passed, M failed` last and exits non-zero on any failure.
"""

import csv
import os
import random
import re
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import linear_sum_assignment

BIG = 10**9


def random_instance(rng, students, tutors, density, unplaced_cost, tight):
    caps = [rng.randint(0, 4) for _ in range(tutors)]
    if not tight:
        caps = [c + rng.randint(0, 3) for c in caps]
    edges = []
    for s in range(students):
        for t in range(tutors):
            if rng.random() < density:
                edges.append((f"s{s}", f"T{t}", rng.randint(-5, 40)))
    return caps, edges, unplaced_cost


def reference(caps, edges, unplaced_cost):
    """(optimal total or None, number that cannot be placed)."""
    students = sorted({s for s, _, _ in edges}, key=lambda x: int(x[1:]))
    row = {s: i for i, s in enumerate(students)}
    places = [t for t, c in enumerate(caps) for _ in range(c)]
    n = len(students)
    if n == 0:
        return 0, 0
    extra = n  # unplaced columns (or dummy columns for the feasibility count)
    cost = np.full((n, len(places) + extra), BIG, dtype=np.int64)
    reach = np.ones_like(cost)
    for s, t, c in edges:
        t = int(t[1:])
        for col, pt in enumerate(places):
            if pt == t:
                cost[row[s], col] = min(cost[row[s], col], c)
                reach[row[s], col] = 0
    r, c = linear_sum_assignment(reach)
    unplaceable = int(reach[r, c].sum())
    if unplaced_cost is not None:
        cost[:, len(places):] = unplaced_cost
        r, c = linear_sum_assignment(cost)
        return int(cost[r, c].sum()), unplaceable
    if unplaceable:
        return None, unplaceable
    r, c = linear_sum_assignment(cost[:, : len(places)])
    return int(cost[r, c].sum()), 0


def run_case(binary, caps, edges, unplaced_cost, tmp):
    with open(os.path.join(tmp, "tutors.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tutor_id", "capacity", "school"])
        w.writerows([f"T{t}", c, "X"] for t, c in enumerate(caps))
    with open(os.path.join(tmp, "edges.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "tutor_id", "cost"])
        w.writerows(edges)
    out = os.path.join(tmp, "allocation.csv")
    cmd = [binary, "allocate", "--tutors", os.path.join(tmp, "tutors.csv"),
           "--edges", os.path.join(tmp, "edges.csv"), "--out", out]
    if unplaced_cost is not None:
        cmd += ["--unplaced-cost", str(unplaced_cost)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    expected, unplaceable = reference(caps, edges, unplaced_cost)
    if expected is None:
        if proc.returncode == 0:
            return "expected failure on an infeasible instance"
        m = re.search(r"(\d+) of \d+ students cannot be placed", proc.stderr)
        if not m or int(m.group(1)) != unplaceable:
            return f"expected {unplaceable} unplaceable, got: {proc.stderr.strip()}"
        return None
    if proc.returncode != 0:
        return f"exit {proc.returncode}: {proc.stderr.strip()}"
    last = proc.stdout.strip().splitlines()[-1]
    if last != f"total_cost={expected}":
        return f"{last} but the optimum is {expected}"
    allowed = {}
    for s, t, c in edges:
        allowed[(s, t)] = min(c, allowed.get((s, t), c))
    load, total, seen = {}, 0, set()
    with open(out, newline="") as f:
        for rec in csv.DictReader(f):
            seen.add(rec["student_id"])
            total += int(rec["cost"])
            if rec["tutor_id"] == "":
                if unplaced_cost is None or int(rec["cost"]) != unplaced_cost:
                    return f"bad unplaced row {rec}"
                continue
            if (rec["student_id"], rec["tutor_id"]) not in allowed:
                return f"row not an allowed edge: {rec}"
            load[rec["tutor_id"]] = load.get(rec["tutor_id"], 0) + 1
    if seen != {s for s, _, _ in edges}:
        return "not one row per student"
    if total != expected:
        return f"rows add up to {total}, not {expected}"
    for t, l in load.items():
        if l > caps[int(t[1:])]:
            return f"tutor {t} over capacity"
    return None


def main():
    binary = sys.argv[1]
    rng = random.Random(2024)
    cases = []
    for i in range(10):
        unplaced = None if i % 3 == 0 else rng.randint(10, 60)
        cases.append(random_instance(rng, rng.randint(5, 40), rng.randint(2, 8),
                                     rng.uniform(0.2, 0.8), unplaced, tight=i % 2 == 0))
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (caps, edges, unplaced_cost) in enumerate(cases):
            problem = run_case(binary, caps, edges, unplaced_cost, tmp)
            if problem is None:
                passed += 1
            else:
                failed += 1
                print(f"case {i}: {problem}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

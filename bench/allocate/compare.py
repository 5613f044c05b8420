#!/usr/bin/env python3
"""Runs the release `flipside allocate` and OR-Tools' SimpleMinCostFlow on the same instance,
in the same run, checks that both objectives are equal, and prints both times and the ratio.

Usage: compare.py FLIPSIDE_BINARY INSTANCE_DIR [--unplaced-cost N]
(INSTANCE_DIR holds tutors.csv and edges.csv, as written by generate.py.)

Times: `flipside` is timed end to end (process start, CSV parsing, solving, writing the
allocation), OR-Tools only for building its graph and solving, with the CSV already parsed:
a comparison that favours OR-Tools.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def read_instance(directory):
    with open(os.path.join(directory, "tutors.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    tutor_index = {r["tutor_id"]: i for i, r in enumerate(rows)}
    capacity = np.array([int(r["capacity"]) for r in rows], dtype=np.int64)
    student_index, es, et, ec = {}, [], [], []
    with open(os.path.join(directory, "edges.csv"), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        si, ti, ci = (header.index(c) for c in ("student_id", "tutor_id", "cost"))
        for row in reader:
            es.append(student_index.setdefault(row[si], len(student_index)))
            et.append(tutor_index[row[ti]])
            ec.append(int(row[ci]))
    return (
        len(student_index),
        capacity,
        np.array(es, dtype=np.int32),
        np.array(et, dtype=np.int32),
        np.array(ec, dtype=np.int64),
    )


def solve_ortools(n_students, capacity, es, et, ec, unplaced_cost):
    """Source-free formulation: students supply 1, the sink demands n_students."""
    start = time.perf_counter()
    n_tutors = len(capacity)
    sink = n_students + n_tutors
    tails = [es, n_students + np.arange(n_tutors, dtype=np.int32)]
    heads = [n_students + et, np.full(n_tutors, sink, dtype=np.int32)]
    caps = [np.ones(len(es), dtype=np.int64), capacity]
    costs = [ec, np.zeros(n_tutors, dtype=np.int64)]
    if unplaced_cost is not None:
        tails.append(np.arange(n_students, dtype=np.int32))
        heads.append(np.full(n_students, sink, dtype=np.int32))
        caps.append(np.ones(n_students, dtype=np.int64))
        costs.append(np.full(n_students, unplaced_cost, dtype=np.int64))
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs)
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_students] = 1
    supplies[sink] = -n_students
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = smcf.solve()
    elapsed = time.perf_counter() - start
    if status != smcf.OPTIMAL:
        raise SystemExit(f"OR-Tools status {status}")
    return smcf.optimal_cost(), elapsed


def run_flipside(binary, directory, unplaced_cost):
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            binary, "allocate",
            "--tutors", os.path.join(directory, "tutors.csv"),
            "--edges", os.path.join(directory, "edges.csv"),
            "--out", os.path.join(tmp, "allocation.csv"),
        ]
        if unplaced_cost is not None:
            cmd += ["--unplaced-cost", str(unplaced_cost)]
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"flipside failed: {out.stderr}")
    lines = out.stdout.strip().splitlines()
    unplaced = next((l.split("=")[1] for l in lines if l.startswith("unplaced=")), "-")
    return int(lines[-1].removeprefix("total_cost=")), unplaced, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("instance")
    parser.add_argument("--unplaced-cost", type=int, default=10_000)
    args = parser.parse_args()
    n, capacity, es, et, ec = read_instance(args.instance)
    print(f"instance: {n} students, {len(capacity)} tutors, {len(es)} edges, "
          f"{int(capacity.sum())} places, unplaced cost {args.unplaced_cost}")
    ours, unplaced, t_ours = run_flipside(args.binary, args.instance, args.unplaced_cost)
    theirs, t_theirs = solve_ortools(n, capacity, es, et, ec, args.unplaced_cost)
    print(f"flipside:  total_cost={ours} unplaced={unplaced} time={t_ours:.3f}s (end to end)")
    print(f"OR-Tools:  total_cost={theirs} time={t_theirs:.3f}s (build + solve)")
    print(f"ratio flipside/OR-Tools = {t_ours / t_theirs:.3f}")
    if ours != theirs:
        print("MISMATCH: objectives differ")
        sys.exit(1)
    print("objectives equal")


if __name__ == "__main__":
    main()

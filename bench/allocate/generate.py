#!/usr/bin/env python3
"""Deterministic instance generator for `flipside allocate`.

The default shape is the institution-wide case the solver is built for: 40,000 students,
2,500 tutors in 16 faculties, about 50 allowed tutors per student inside the student's own
faculty (about 2 million edges), and a few faculties with more students than tutor places,
so that `--unplaced-cost` is needed.

Costs follow the School rules of SPEC §3.10: a tutor of the student's own School is cheap,
last year's tutor (for returning students) is cheaper still, and noise breaks most ties.

With --shared-ranking every student ranks the tutors alike (a tutor's cost is the same for
all students, give or take 2): the hard case for a solver that starts from each student's
favourite, since nearly everyone wants the same few tutors.

Usage: generate.py OUT_DIR [--students N] [--tutors M] [--per-student K] [--seed S]
                           [--faculties F] [--shared-ranking]
Writes OUT_DIR/tutors.csv and OUT_DIR/edges.csv.
"""

import argparse
import os

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--students", type=int, default=40_000)
    parser.add_argument("--tutors", type=int, default=2_500)
    parser.add_argument("--per-student", type=int, default=50)
    parser.add_argument("--faculties", type=int, default=16)
    parser.add_argument("--seed", type=int, default=20240917)
    parser.add_argument("--shared-ranking", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)

    n_students, n_tutors, n_fac = args.students, args.tutors, args.faculties
    # Faculties of uneven size; each tutor belongs to one faculty and one School in it.
    fac_weight = rng.uniform(0.5, 1.5, n_fac)
    tutor_fac = rng.choice(n_fac, size=n_tutors, p=fac_weight / fac_weight.sum())
    tutor_school = tutor_fac * 100 + rng.integers(0, 8, n_tutors)
    capacity = rng.integers(8, 25, n_tutors)  # mean 16: total places ≈ students
    # Students are spread with a skew so that some faculties are over-subscribed.
    places = np.bincount(tutor_fac, weights=capacity, minlength=n_fac)
    demand = places * rng.uniform(0.75, 1.3, n_fac)
    student_fac = rng.choice(n_fac, size=n_students, p=demand / demand.sum())

    fac_tutors = [np.flatnonzero(tutor_fac == f) for f in range(n_fac)]
    tutor_cost = rng.integers(0, 1000, n_tutors) if args.shared_ranking else None
    with open(os.path.join(args.out_dir, "tutors.csv"), "w") as f:
        f.write("tutor_id,capacity,school\n")
        f.writelines(
            f"t{t:05d},{capacity[t]},S{tutor_school[t]}\n" for t in range(n_tutors)
        )

    lines = ["student_id,tutor_id,cost\n"]
    for s in range(n_students):
        pool = fac_tutors[student_fac[s]]
        if len(pool) == 0:
            continue
        k = min(len(pool), max(1, args.per_student + int(rng.integers(-10, 11))))
        chosen = rng.choice(pool, size=k, replace=False)
        if args.shared_ranking:
            cost = tutor_cost[chosen] + rng.integers(0, 3, k)
        else:
            own_school = rng.choice(tutor_school[pool])
            cost = np.where(tutor_school[chosen] == own_school, 100, 400)
            cost = cost + rng.integers(0, 300, k)
            if rng.random() < 0.6:  # a returning student: last year's tutor strongly preferred
                cost[0] = int(rng.integers(0, 20))
        sid = f"s{s:06d}"
        lines.extend(f"{sid},t{t:05d},{c}\n" for t, c in zip(chosen, cost))
    with open(os.path.join(args.out_dir, "edges.csv"), "w") as f:
        f.writelines(lines)
    print(f"students={n_students} tutors={n_tutors} edges={len(lines) - 1}")


if __name__ == "__main__":
    main()

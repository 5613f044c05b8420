"""Writes a deterministic tidy responses CSV for benchmarking `flipside analyse`.

    python3 bench/analyse/generate.py OUT.csv [--rows 1000000] [--items 10] [--seed 1]

Rows are split over pre, post and follow-up waves for `items` Likert items; about 15% of
post answers and 60% of follow-up answers are missing, as in real surveys; rows are
shuffled so that nothing depends on input order. Same arguments, same file.
"""

import argparse
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    rows = []
    respondent = 0
    while len(rows) < args.rows:
        rid = f"R{respondent:07d}"
        respondent += 1
        for k in range(args.items):
            item = f"item_{k:02d}"
            pre = rng.randint(1, 5)
            rows.append((rid, "pre", item, pre))
            if rng.random() < 0.85:
                post = min(5, max(1, round(pre + rng.gauss(0.3, 1.0))))
                rows.append((rid, "post", item, post))
            if rng.random() < 0.4:
                rows.append((rid, "followup", item, rng.randint(1, 5)))
    rows = rows[: args.rows]
    rng.shuffle(rows)
    with open(args.out, "w") as f:
        f.write("respondent_id,wave,item,score,cohort\n")
        f.writelines(f"{r},{w},{i},{s},2024\n" for r, w, i, s in rows)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()

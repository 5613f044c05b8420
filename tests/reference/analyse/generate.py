"""Writes cases.json: SciPy's answers for `flipside analyse` on small, deliberately awkward
data sets, under every zero method, every method and with/without continuity correction.

Run from anywhere: `python3 tests/reference/analyse/generate.py`. Deterministic (fixed seed);
re-run and commit when SciPy's semantics or the cases change. The Rust tests in
`crates/batch/src/analyse.rs` read cases.json and require agreement to 1e-9.
"""

import itertools
import json
import pathlib
import random

import scipy

from reference import analyse, to_csv

HERE = pathlib.Path(__file__).resolve().parent


def paired(name_scores, item="belonging"):
    """Rows for respondents given as (pre, post) pairs; None leaves that answer out."""
    rows = []
    for k, (pre, post) in enumerate(name_scores):
        if pre is not None:
            rows.append((f"r{k:03d}", "pre", item, pre))
        if post is not None:
            rows.append((f"r{k:03d}", "post", item, post))
    return rows


def random_pairs(rng, n, drift=0.5, missing=0.0):
    pairs = []
    for _ in range(n):
        pre = rng.randint(1, 5)
        post = min(5, max(1, round(pre + rng.gauss(drift, 1.1))))
        if rng.random() < missing:
            post = None
        pairs.append((pre, post))
    return pairs


def datasets():
    rng = random.Random(20240611)
    sets = {}
    sets["n1_one_pair"] = paired([(2, 4)])
    sets["n4_untied_no_zeros"] = paired([(1, 2), (4, 2), (1, 4), (5, 1)])
    sets["n5_ties_and_zeros"] = paired([(3, 4), (3, 3), (2, 4), (4, 3), (1, 4)])
    sets["n7_ties"] = paired([(2, 3), (2, 3), (3, 5), (4, 3), (1, 3), (3, 4), (2, 4)])
    sets["n7_random"] = paired(random_pairs(rng, 7))
    sets["n13_zeros_permutation_limit"] = paired(random_pairs(rng, 13, drift=0.3))
    sets["n14_ties_beyond_permutation"] = paired(random_pairs(rng, 14))
    sets["n20_random"] = paired(random_pairs(rng, 20))
    sets["n25_decline"] = paired(random_pairs(rng, 25, drift=-0.6))
    sets["n60_beyond_auto_exact"] = paired(random_pairs(rng, 60, drift=0.2))
    sets["missing_post_responses"] = paired(random_pairs(rng, 26, missing=0.3))
    sets["all_zero_differences"] = paired([(3, 3), (4, 4), (2, 2), (5, 5)])
    sets["mann_whitney_exact"] = paired([(1, None), (2, None), (None, 3), (None, 4), (None, 5)])
    sets["no_pairs_single_responses"] = paired([(4, None), (None, 2)])
    # Several items, one answered only at follow-up, names that sort differently by bytes.
    several = []
    for item, drift in (("q2", 0.8), ("q10", 0.0), ("Belonging", -0.3)):
        several += paired(random_pairs(rng, 18, drift=drift, missing=0.1), item=item)
    several += [(f"r{k:03d}", "followup", "q_followup_only", rng.randint(1, 5)) for k in range(6)]
    for k in range(18):
        several.append((f"r{k:03d}", "followup", "q2", rng.randint(1, 5)))
    rng.shuffle(several)
    sets["several_items_shuffled"] = several
    return sets


OPTION_GRID = [
    {"from": "pre", "to": "post", "zero_method": z, "method": m, "correction": c}
    for z, m, c in itertools.product(
        ("wilcox", "pratt", "zsplit"), ("auto", "exact", "approx"), (False, True)
    )
] + [
    {"from": "pre", "to": "followup", "zero_method": "wilcox", "method": "auto", "correction": False},
    {"from": "post", "to": "followup", "zero_method": "pratt", "method": "approx", "correction": True},
]


def main():
    sets = datasets()
    csvs = {
        name: to_csv(rows, extra_column=(k % 2 == 1))
        for k, (name, rows) in enumerate(sorted(sets.items()))
    }
    cases = []
    for name, rows in sorted(sets.items()):
        for options in OPTION_GRID:
            expected = analyse(
                rows,
                frm=options["from"],
                to=options["to"],
                zero_method=options["zero_method"],
                method=options["method"],
                correction=options["correction"],
            )
            cases.append({"dataset": name, "options": options, "expected": expected})
    out = {
        "generated_by": "tests/reference/analyse/generate.py",
        "scipy_version": scipy.__version__,
        "datasets": csvs,
        "cases": cases,
    }
    path = HERE / "cases.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(cases)} cases over {len(csvs)} data sets to {path.relative_to(HERE.parents[2])}")


if __name__ == "__main__":
    main()

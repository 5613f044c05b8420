"""The reference for `flipside analyse`: SPEC §3.14 computed with SciPy.

Shared by `generate.py` (committed fixtures) and `check_live.py` (fresh random data against
the built binary). Rules that are ours rather than SciPy's are marked "flipside rule".
"""

import csv
import io
import math

import numpy as np
from scipy import stats

WAVES = ("pre", "post", "followup")


def read_rows(text):
    """(respondent_id, wave, item, score) tuples from a tidy CSV string."""
    reader = csv.DictReader(io.StringIO(text))
    return [
        (r["respondent_id"].strip(), r["wave"].strip(), r["item"].strip(), int(r["score"]))
        for r in reader
    ]


def wilcoxon_method_used(d, method):
    """The method SciPy's wilcoxon uses (its `auto` rules, SciPy >= 1.13)."""
    if method != "auto":
        return method
    if len(d) > 50:
        return "approx"
    nonzero = np.abs(d[d != 0])
    has_ties = len(np.unique(nonzero)) < len(nonzero)
    if not has_ties and not np.any(d == 0):
        return "exact"
    if len(d) <= 13:
        return "permutation"
    return "approx"


def signed_z(d):
    """z of the normal approximation, zeros dropped, no continuity correction, positive when
    post is higher; and R+, R- over the non-zero differences."""
    nz = d[d != 0]
    ranks = stats.rankdata(np.abs(nz))
    r_plus = float(ranks[nz > 0].sum())
    r_minus = float(ranks[nz < 0].sum())
    res = stats.wilcoxon(nz, zero_method="wilcox", correction=False, method="asymptotic")
    z = abs(float(res.zstatistic))
    sign = 1.0 if r_plus > r_minus else (-1.0 if r_plus < r_minus else 0.0)
    return sign * z, r_plus, r_minus, len(nz)


def analyse(rows, frm="pre", to="post", zero_method="wilcox", method="auto", correction=False):
    """The expected `{"items": [...]}` (without `note` texts) for `rows`."""
    by_item = {}
    for respondent, wave, item, score in rows:
        by_item.setdefault(item, {w: {} for w in WAVES})[wave][respondent] = score
    items = []
    # Python orders str by code point, which is the byte order of UTF-8.
    for item in sorted(by_item):
        waves = by_item[item]
        pre_map, post_map = waves[frm], waves[to]
        pre = np.array(list(pre_map.values()), dtype=float)
        post = np.array(list(post_map.values()), dtype=float)
        paired = sorted(set(pre_map) & set(post_map))
        d = np.array([post_map[r] - pre_map[r] for r in paired], dtype=float)
        out = {
            "item": item,
            "n_pre": len(pre),
            "n_post": len(post),
            "n_paired": len(d),
            "mean_pre": float(np.mean(pre)) if len(pre) else None,
            "mean_post": float(np.mean(post)) if len(post) else None,
            "sd_pre": float(np.std(pre, ddof=1)) if len(pre) > 1 else None,
            "sd_post": float(np.std(post, ddof=1)) if len(post) > 1 else None,
            "mean_change": float(np.mean(d)) if len(d) else None,
        }
        # flipside rule: no pairs or every difference zero -> no test and no effect size.
        if len(d) == 0 or np.all(d == 0):
            out["wilcoxon"] = None
            out["effect_size_r"] = None
            out["rank_biserial"] = None
        else:
            scipy_method = "asymptotic" if method == "approx" else method
            res = stats.wilcoxon(
                d, zero_method=zero_method, correction=correction, method=scipy_method
            )
            out["wilcoxon"] = {
                "statistic": float(res.statistic),
                "p_value": float(res.pvalue),
                "method": wilcoxon_method_used(d, method),
                "zero_method": zero_method,
            }
            z, r_plus, r_minus, m = signed_z(d)
            out["effect_size_r"] = z / math.sqrt(m)
            out["rank_biserial"] = (r_plus - r_minus) / (m * (m + 1) / 2)
        if len(pre) and len(post):
            res = stats.mannwhitneyu(post, pre)
            out["mann_whitney"] = {"u": float(res.statistic), "p_value": float(res.pvalue)}
        else:
            out["mann_whitney"] = None
        items.append(out)
    return {"items": items}


NUMBER_FIELDS = (
    "n_pre", "n_post", "n_paired", "mean_pre", "mean_post", "sd_pre", "sd_post",
    "mean_change", "effect_size_r", "rank_biserial",
)


def compare(expected, actual, tolerance=1e-9):
    """A list of mismatches (empty when `actual` agrees with `expected` on every number)."""
    problems = []
    e_items, a_items = expected["items"], actual.get("items", [])
    if [i["item"] for i in e_items] != [i.get("item") for i in a_items]:
        return [f"item lists differ: {[i['item'] for i in e_items]} vs "
                f"{[i.get('item') for i in a_items]}"]

    def num(where, e, a):
        if e is None or a is None:
            if e is not a:
                problems.append(f"{where}: expected {e}, got {a}")
        elif not abs(e - a) <= tolerance * max(1.0, abs(e)):
            problems.append(f"{where}: expected {e!r}, got {a!r}")

    for e, a in zip(e_items, a_items):
        name = e["item"]
        for field in NUMBER_FIELDS:
            num(f"{name}.{field}", e[field], a.get(field))
        for test, keys in (("wilcoxon", ("statistic", "p_value")), ("mann_whitney", ("u", "p_value"))):
            et, at = e[test], a.get(test)
            if et is None or at is None:
                if et is not at:
                    problems.append(f"{name}.{test}: expected {et}, got {at}")
                continue
            for key in keys:
                num(f"{name}.{test}.{key}", et[key], at.get(key))
            for key in ("method", "zero_method"):
                if key in et and et[key] != at.get(key):
                    problems.append(f"{name}.{test}.{key}: expected {et[key]}, got {at.get(key)}")
        nulls = [k for k in NUMBER_FIELDS + ("wilcoxon", "mann_whitney") if e[k] is None]
        if nulls and not a.get("note"):
            problems.append(f"{name}: {nulls} are null but there is no note")
    return problems


def to_csv(rows, extra_column=False):
    """A tidy CSV string; with `extra_column`, an ignored column sits between the others."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if extra_column:
        writer.writerow(["respondent_id", "wave", "school", "item", "score"])
        writer.writerows((r, w, "S", i, s) for r, w, i, s in rows)
    else:
        writer.writerow(["respondent_id", "wave", "item", "score"])
        writer.writerows(rows)
    return out.getvalue()

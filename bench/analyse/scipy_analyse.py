"""The same analysis as `flipside analyse --json`, done the way an analyst would with
pandas and SciPy; timed against the binary by compare.sh.

    python3 bench/analyse/scipy_analyse.py RESPONSES.csv > out.json
"""

import json
import math
import sys

import numpy as np
import pandas as pd
from scipy import stats


def main(path, frm="pre", to="post"):
    df = pd.read_csv(path, usecols=["respondent_id", "wave", "item", "score"])
    items = []
    for item, group in sorted(df.groupby("item"), key=lambda kv: kv[0]):
        pre = group.loc[group.wave == frm].set_index("respondent_id")["score"]
        post = group.loc[group.wave == to].set_index("respondent_id")["score"]
        both = pre.index.intersection(post.index)
        d = (post.loc[both] - pre.loc[both]).to_numpy(dtype=float)
        out = {
            "item": item, "n_pre": len(pre), "n_post": len(post), "n_paired": len(d),
            "mean_pre": float(pre.mean()), "mean_post": float(post.mean()),
            "sd_pre": float(pre.std(ddof=1)), "sd_post": float(post.std(ddof=1)),
            "mean_change": float(d.mean()),
        }
        w = stats.wilcoxon(d)
        out["wilcoxon"] = {"statistic": float(w.statistic), "p_value": float(w.pvalue)}
        nz = d[d != 0]
        ranks = stats.rankdata(np.abs(nz))
        r_plus, r_minus = ranks[nz > 0].sum(), ranks[nz < 0].sum()
        z = stats.wilcoxon(nz, method="asymptotic").zstatistic
        m = len(nz)
        out["effect_size_r"] = float(math.copysign(abs(z), r_plus - r_minus) / math.sqrt(m))
        out["rank_biserial"] = float((r_plus - r_minus) / (m * (m + 1) / 2))
        mw = stats.mannwhitneyu(post.to_numpy(float), pre.to_numpy(float))
        out["mann_whitney"] = {"u": float(mw.statistic), "p_value": float(mw.pvalue)}
        items.append(out)
    json.dump({"items": items}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1])

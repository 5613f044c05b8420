#!/usr/bin/env sh
# Times the release `flipside analyse` against pandas + SciPy on the same generated file and
# prints both times. Run from the repository root after `cargo build --release -p flipside`:
#
#   bench/analyse/compare.sh [ROWS] [BINARY]
#
# Uses hyperfine when it is installed (several runs, mean ± SD), otherwise one timed run each.
set -eu
rows="${1:-1000000}"
binary="${2:-${CARGO_TARGET_DIR:-target}/release/flipside}"
here="$(dirname "$0")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
csv="$work/responses.csv"

python3 "$here/generate.py" "$csv" --rows "$rows"
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 1 --runs 5 \
        -n flipside "$binary analyse $csv --json > $work/flipside.json" \
        -n scipy "python3 $here/scipy_analyse.py $csv > $work/scipy.json"
else
    # Without hyperfine: best of three runs each, timed from one Python process so that no
    # interpreter start-up is counted against the binary.
    python3 - "$binary" "$csv" "$here/scipy_analyse.py" "$work" <<'PY'
import subprocess, sys, time
binary, csv, script, work = sys.argv[1:5]
def best(command, out):
    times = []
    for _ in range(3):
        with open(out, "w") as f:
            start = time.perf_counter()
            subprocess.run(command, stdout=f, check=True)
            times.append(time.perf_counter() - start)
    return min(times)
print(f"flipside analyse: {best([binary, 'analyse', csv, '--json'], work + '/flipside.json'):.3f} s (best of 3)")
print(f"pandas + SciPy:   {best([sys.executable, script, csv], work + '/scipy.json'):.3f} s (best of 3)")
PY
fi
# The two outputs must agree, or the timing compares different work.
python3 - "$work/flipside.json" "$work/scipy.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["items"] for p in sys.argv[1:3])
worst = 0.0
for x, y in zip(a, b):
    for k in ("mean_pre", "mean_post", "sd_pre", "sd_post", "mean_change", "effect_size_r", "rank_biserial"):
        worst = max(worst, abs(x[k] - y[k]))
    for t, keys in (("wilcoxon", ("statistic", "p_value")), ("mann_whitney", ("u", "p_value"))):
        for k in keys:
            worst = max(worst, abs(x[t][k] - y[t][k]) / max(1.0, abs(y[t][k])))
print(f"{len(a)} items, largest difference between the two: {worst:.2e}")
PY

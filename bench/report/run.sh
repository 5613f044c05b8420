#!/usr/bin/env bash
# Times `flipside report` on the demo organisation: its closed 2025/26 cycle and its 2025/26
# year across schemes, as HTML and as PDF. Each time is the whole command (start-up, opening
# and migrating the database, gathering, rendering, writing), best of RUNS.
#
#   bench/report/run.sh [BINARY] [RUNS]
set -euo pipefail
bin="${1:-target/release/flipside}"
runs="${2:-5}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

# The demo seeds itself when it starts serving; stop it once it listens.
"$bin" demo --listen 127.0.0.1:0 --data-dir "$dir" >"$dir/demo.log" 2>&1 &
demo=$!
for _ in $(seq 1 600); do
  grep -q "flipside is listening" "$dir/demo.log" && break
  sleep 0.1
done
kill "$demo"
wait "$demo" 2>/dev/null || true

cycle="$(python3 - "$dir" <<'PY'
import glob, sqlite3, sys
db = sqlite3.connect(glob.glob(sys.argv[1] + "/*.db")[0])
print(db.execute("SELECT c.id FROM cycles c JOIN schemes s ON s.id = c.scheme_id "
                 "WHERE s.kind = 'institutional' AND c.state = 'closed'").fetchone()[0])
PY
)"

best() {
  local best=""
  for _ in $(seq 1 "$runs"); do
    local start end t
    start=$(date +%s.%N)
    "$bin" report "$@" --data-dir "$dir" >/dev/null
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%.3f s' "$best"
}

for scope in "--cycle $cycle" "--year 2025"; do
  for format in html pdf; do
    # shellcheck disable=SC2086
    echo "report $scope --format $format: $(best $scope --format "$format" --out "$dir/out.$format")"
  done
done
ls -l "$dir"/out.* | awk '{print $5, $9}' | sed "s|$dir/||"

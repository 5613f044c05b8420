#!/usr/bin/env bash
# Runs flipside's browser tests: Playwright (playwright-core) driving the system
# chromium, with axe-core accessibility checks. Never downloads browsers.
#
# Needs: node >= 20 and npm; chromium (Debian package, /usr/bin/chromium, or set
# CHROMIUM_BIN); a built flipside binary (target/debug/flipside, or set FLIPSIDE_BIN).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Install dependencies when node_modules is missing or older than the lock file.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund
fi

rm -rf test-results
mkdir -p test-results
# The demo organisation, made once; each test file's server starts from a copy of it.
template=$(mktemp -d "${TMPDIR:-/tmp}/flipside-demo-template-XXXXXX")
trap 'rm -rf "$template"' EXIT
node lib/seed.js "$template"
export BROWSER_DEMO_TEMPLATE="$template"
# A test that hangs fails after ten minutes instead of holding up the whole run.
node --test --test-concurrency="${BROWSER_TEST_CONCURRENCY:-2}" --test-timeout=600000 tests/*.test.js

#!/usr/bin/env bash
# Builds the project (installing what is missing) and runs the whole test
# suite: lit/FileCheck regression tests and the unit tests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"

results="$build/test-results.json"
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" -o "$results" "$@" || status=$?

# A closing summary line that any CI log reader understands.
"$root/.venv/bin/python" - "$results" <<'PY'
import json, sys
from collections import Counter
tests = json.load(open(sys.argv[1]))["tests"]
codes = Counter(t["code"] for t in tests)
failed = sum(codes[c] for c in ("FAIL", "XPASS", "UNRESOLVED", "TIMEOUT"))
skipped = codes["UNSUPPORTED"] + codes["SKIPPED"]
print(f"{codes['PASS'] + codes['XFAIL']} passed, {failed} failed, {skipped} skipped")
PY
exit $status

#!/usr/bin/env bash
# Runs the lit suite of the build in GRU_BUILD_DIR (default build/) and
# prints a closing summary line that any CI log reader understands.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
results="$build/test-results.json"
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" -o "$results" "$@" || status=$?

"$root/.venv/bin/python" - "$results" <<'PY'
import json, sys
from collections import Counter
tests = json.load(open(sys.argv[1]))["tests"]
codes = Counter(t["code"] for t in tests)
failed = sum(codes[c] for c in ("FAIL", "XPASS", "UNRESOLVED", "TIMEOUT"))
skipped = codes["UNSUPPORTED"] + codes["SKIPPED"]
for t in tests:
    if t["code"] in ("UNSUPPORTED", "SKIPPED"):
        print(f"skipped: {t['name']}")
print(f"{codes['PASS'] + codes['XFAIL']} passed, {failed} failed, {skipped} skipped")
PY
exit $status

#!/usr/bin/env bash
# Builds the project (installing what is missing) and runs the whole test
# suite: lit/FileCheck regression tests and the unit tests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec "$root/scripts/run-lit.sh" "$@"

#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of each shipping project (src/*) from the analyzer's RS0016 diagnostics,
# so the file lists exactly the public API the code declares. Review the diff: it is the API change.
set -euo pipefail
cd "$(dirname "$0")/.."
for proj in ${1:-src/*/}; do
  proj=${proj%/}
  [ -f "$proj/PublicAPI.Unshipped.txt" ] || continue
  echo "#nullable enable" > "$proj/PublicAPI.Unshipped.txt"
  dotnet build "$proj" --no-incremental -p:TreatWarningsAsErrors=false 2>&1 \
    | grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" \
    | sort -u >> "$proj/PublicAPI.Unshipped.txt" || true
  echo "$proj: $(($(wc -l < "$proj/PublicAPI.Unshipped.txt") - 1)) entries"
done

#!/usr/bin/env bash
# `arshjul audit` for a whole organisation of the synthetic national set (issue 10), end to
# end with the release binary (built beforehand; this script builds nothing): generated
# definitions (`arshjul generate`, cut to ORGS organisations), `arshjul sync`, a share of one
# organisation's checkpoints reported with `arshjul report` (REPORTS of them, through the
# state machine like a user), then `arshjul audit --organisation kommun-000` in each format,
# RUNS times, wall time per run (the process start, opening the store, reading, rendering).
#
#   ENGINES="sqlite postgres" ORGS=35 REPORTS=60 RUNS=5 benches/audit.sh
# Needs psql for PostgreSQL on 127.0.0.1:5432. Files under $WORK only (removed at the end
# unless KEEP=1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${ARSHJUL_BIN:-$ROOT/target/release/arshjul}
[ -x "$BIN" ] || BIN=${CARGO_TARGET_DIR:-/nonexistent}/release/arshjul
[ -x "$BIN" ] || { echo "no release binary: cargo build --release (or set ARSHJUL_BIN)" >&2; exit 2; }
ENGINES=${ENGINES:-sqlite postgres}
ORGS=${ORGS:-35}
REPORTS=${REPORTS:-60}
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/arshjul-audit-bench}
PG_DB=${PG_DB:-perf_audit}
PSQL=(env PGOPTIONS='-c client_min_messages=warning' psql -q -X -h 127.0.0.1 -U postgres -d postgres)
NOW=2021-10-16T10:00:00Z

cleanup() {
  if [ -z "${KEEP:-}" ]; then
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $PG_DB" 2>/dev/null || true
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
rm -rf "$WORK" && mkdir -p "$WORK"
"$BIN" generate "$WORK/defs" --orgs "$ORGS" >/dev/null
printf 'organisation,role,unit,name,email\n' >"$WORK/people.csv"

for engine in $ENGINES; do
  case $engine in
    sqlite) url="sqlite://$WORK/audit.db" ;;
    postgres)
      "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
      url="postgres://postgres@127.0.0.1:5432/$PG_DB" ;;
  esac
  export DATABASE_URL=$url ARSHJUL_NOW=$NOW ARSHJUL_PEOPLE=$WORK/people.csv
  "$BIN" sync "$WORK/defs" >/dev/null 2>&1
  # Report the first REPORTS checkpoints of kommun-000 that are due (some on time, the rest
  # late by now): real events through `arshjul report`.
  ids=$("$BIN" status --organisation kommun-000 --format json | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r.get("due") and r["due"] <= "2021-10-15"]
print("\n".join(r["id"] for r in rows[:'"$REPORTS"']))')
  n=0
  for id in $ids; do
    "$BIN" report "$id" --outcome genomförd --uppfoljning "Genomfört enligt plan." --analys "-" --as bench@example >/dev/null
    n=$((n + 1))
  done
  stored=$("$BIN" audit --format json --dir "$WORK/defs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
  rows=$("$BIN" audit --organisation kommun-000 --format json --dir "$WORK/defs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
  echo "$engine: $stored promised follow-ups stored, kommun-000 has $rows ($n reported by the bench)"
  for fmt in table json csv xlsx; do
    times=()
    for _ in $(seq "$RUNS"); do
      s=$(date +%s%N)
      "$BIN" audit --organisation kommun-000 --format "$fmt" --output "$WORK/out.$fmt" --dir "$WORK/defs"
      e=$(date +%s%N)
      times+=("$(( (e - s) / 1000000 ))")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
    echo "  audit --organisation kommun-000 --format $fmt: ms per run (sorted) $sorted; file $(stat -c %s "$WORK/out.$fmt") bytes"
  done
done

#!/usr/bin/env bash
# `arshjul people import` at national scale, the release binary end to end (start-up,
# reading the definitions, parsing and checking every line, writing the directory):
# 100 organisations of 1 000 schools; PER people per school (1 → 100 k rows, 10 → 1 M rows).
#   cargo build --release && benches/people.sh            # SQLite and PostgreSQL, 100 k and 1 M
#   ENGINES=sqlite SIZES="1" benches/people.sh
# Needs python3, and psql + PostgreSQL on 127.0.0.1:5432 for the PostgreSQL run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${ARSHJUL_BIN:-$PWD/target/release/arshjul}
WORK=${WORK:-/tmp/arshjul-people-bench}
ENGINES=${ENGINES:-sqlite postgres}
SIZES=${SIZES:-1 10}
PSQL=(env PGOPTIONS='-c client_min_messages=warning' psql -q -X -h 127.0.0.1 -U postgres -d test)
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
mkdir -p "$WORK"
for per in $SIZES; do
  d="$WORK/p$per"
  if [ ! -s "$d/done" ]; then
    rm -rf "$d"
    python3 - "$d" "$per" <<'PY'
import os, sys
root, per = sys.argv[1], int(sys.argv[2])
os.makedirs(root)
with open(os.path.join(root, "people.csv"), "w") as people:
    people.write("organisation,role,unit,name,email\n")
    u = 0
    for k in range(100):
        d = os.path.join(root, "workflows", f"k{k:03d}")
        os.makedirs(d)
        people.write(f"k{k:03d},forvaltningschef,,Chef {k},chef{k}@bench.example\n")
        with open(os.path.join(d, "organisation.yaml"), "w") as f:
            f.write(f"organisation:\n  id: k{k:03d}\n  name: Kommun {k}\n  roles:\n"
                    "    forvaltningschef: { name: Förvaltningschef }\n"
                    "    rektor: { name: Rektor, per_unit: ja, reports_to: forvaltningschef }\n  units:\n")
            for _ in range(1000):
                f.write(f"    - {{ id: u{u}, name: Skola {u}, kind: grundskola }}\n")
                for p in range(per):
                    people.write(f"k{k:03d},rektor,u{u},Rektor {u} {p},rektor{u}.{p}@bench.example\n")
                u += 1
open(os.path.join(root, "done"), "w").write("ok\n")
PY
  fi
  rows=$(($(wc -l < "$d/people.csv") - 1))
  for engine in $ENGINES; do
    case $engine in
      sqlite) rm -f "$WORK/people.db"*; url="sqlite://$WORK/people.db" ;;
      postgres) "${PSQL[@]}" -c "DROP DATABASE IF EXISTS people_bench" -c "CREATE DATABASE people_bench"
                url="postgres://postgres@127.0.0.1:5432/people_bench" ;;
    esac
    for round in first unchanged; do
      t0=$(date +%s.%N)
      DATABASE_URL=$url "$BIN" people import "$d/people.csv" --dir "$d/workflows" > /dev/null
      s=$(echo "$(date +%s.%N) - $t0" | bc)
      printf 'people import  engine=%-8s rows=%-8s round=%-9s seconds=%.2f rows_per_s=%.0f\n' "$engine" "$rows" "$round" "$s" "$(echo "$rows / $s" | bc -l)"
    done
  done
done
[ "${KEEP_DB:-}" ] || "${PSQL[@]}" -c "DROP DATABASE IF EXISTS people_bench" 2>/dev/null || true

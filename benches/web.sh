#!/usr/bin/env bash
# The web pages' benchmark (issue 9), the way a user runs arshjul: the release binary
# (target/release/arshjul, built beforehand; this script builds nothing), generated definitions
# (`arshjul generate`, the synthetic national set cut to ORGS organisations ≈ 100 k stored
# checkpoints), a people CSV with a full directory (a förvaltningschef, kvalitetschef and
# skolområdeschef per organisation, a rektor per unit), `arshjul sync`, then `arshjul serve`.
#
# Signing in: the real magic-link flow. `arshjul run` (the daemon, which also serves the pages)
# runs briefly with its SMTP pointed at benches/web/smtp_capture.py; the bench asks for a
# sign-in link for chef0@ and kval0@bench.example at POST /login, reads each link out of the captured
# email, opens it and signs in (POST /login/<token>); the daemon stops and the session, kept
# in the store, is used against `arshjul serve`.
#
# Prints, per engine, the page's size and one request alone cold (the first: rendered) and warm
# (the second: from the page cache), then wrk, CONNS connections for SECS seconds each: GET /overview (default filter: the current
# läsår) as the förvaltningschef, and POST /checkpoint/<id>/report as the kvalitetschef of the
# same organisation, each request the next of their checkpoints of the läsår (a report on a
# reported checkpoint replaces it; one `Store::act` each). At the end one SUMMARY line per
# engine and page: p50, p99, requests/s, page bytes, and the load average.
#
#   ENGINES="sqlite postgres" ORGS=35 CONNS=50 SECS=15 benches/web.sh
# Needs: wrk, python3 (3.11: smtpd), curl, psql for PostgreSQL on 127.0.0.1:5432. Files under
# $WORK only (removed at the end unless KEEP=1); every process started is stopped by its PID.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${ARSHJUL_BIN:-$ROOT/target/release/arshjul}
[ -x "$BIN" ] || BIN=${CARGO_TARGET_DIR:-/nonexistent}/release/arshjul
[ -x "$BIN" ] || { echo "no release binary: cargo build --release (or set ARSHJUL_BIN)" >&2; exit 2; }
ENGINES=${ENGINES:-sqlite postgres}
ORGS=${ORGS:-35}
UNITS=${UNITS:-30}
CONNS=${CONNS:-50}
SECS=${SECS:-15}
PORT=${PORT:-18431}
SMTP_PORT=${SMTP_PORT:-18425}
WORK=${WORK:-/tmp/arshjul-web-bench}
PG_DB=${PG_DB:-perf_web}
PSQL=(env PGOPTIONS='-c client_min_messages=warning' psql -q -X -h 127.0.0.1 -U postgres -d postgres)
HERE="$ROOT/benches/web"
URL="http://127.0.0.1:$PORT"
CHEF=chef0@bench.example
KVAL=kval0@bench.example
# Saturday 16 October 2021, 12:00 in Stockholm: läsår 2021/22, no reminders due on a Saturday.
NOW=2021-10-16T10:00:00Z

mkdir -p "$WORK"
PIDS=()
SUMMARY=()
cleanup() {
  for p in "${PIDS[@]}"; do if kill -0 "$p" 2>/dev/null; then kill "$p"; wait "$p" 2>/dev/null || true; fi; done
  if [ -z "${KEEP:-}" ]; then
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $PG_DB" 2>/dev/null || true
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
stop() { # stop one started process by PID
  local p=$1
  if kill -0 "$p" 2>/dev/null; then kill "$p"; wait "$p" 2>/dev/null || true; fi
}
wait_up() { # wait until the server answers (at most 60 s)
  for _ in $(seq 600); do curl -s -o /dev/null "$URL/login" && return 0; sleep 0.1; done
  echo "server did not come up" >&2; return 1
}

# definitions and people, once
if [ ! -s "$WORK/wf/done" ]; then
  rm -rf "$WORK/wf"
  "$BIN" generate "$WORK/wf/workflows" --orgs "$ORGS" --units "$UNITS" --initiatives 20 > /dev/null
  {
    echo "organisation,role,unit,name,email"
    for ((o = 0; o < ORGS; o++)); do
      k=$(printf 'kommun-%03d' "$o")
      echo "$k,forvaltningschef,,Chef $o,chef$o@bench.example"
      echo "$k,kvalitetschef,,Kvalitetschef $o,kval$o@bench.example"
      echo "$k,skolomradeschef,,Skolområdeschef $o,som$o@bench.example"
      for ((u = 0; u < UNITS; u++)); do printf '%s,rektor,enhet-%02d,Rektor %d %d,rektor%d.%d@bench.example\n' "$k" "$u" "$o" "$u" "$o" "$u"; done
    done
  } > "$WORK/wf/people.csv"
  echo ok > "$WORK/wf/done"
fi

export ARSHJUL_WORKFLOWS="$WORK/wf/workflows" ARSHJUL_PEOPLE="$WORK/wf/people.csv" ARSHJUL_NOW=$NOW ARSHJUL_LANG=sv \
  ARSHJUL_WEB_LISTEN="127.0.0.1:$PORT" ARSHJUL_BASE_URL="$URL" ARSHJUL_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT?tls=none" \
  ARSHJUL_MAIL_FROM='arshjul <arshjul@bench.example>' ARSHJUL_INSTANCE=webbench

# wrk's --latency output → "p50_ms p99_ms req_per_s non2xx"
summarise() {
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", t, re.M)
    if not m: return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
errs = re.search(r"Socket errors:.*", t)
print(f"p50 {ms(50):.1f} ms  p99 {ms(99):.1f} ms  {float(rps.group(1)) if rps else 0:.0f} req/s"
      + (f"  NON-2xx {bad.group(1)}" if bad else "") + (f"  ({errs.group(0)})" if errs else ""))
PY
}

# the magic-link flow for one address against the running daemon → the session cookie's value
sign_in() {
  local email=$1 jar="$WORK/jar-$1" csrf token=""
  rm -f "$jar"
  csrf=$(curl -s -c "$jar" -b "$jar" "$URL/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=$email" "$URL/login"
  for _ in $(seq 300); do token=$(python3 "$HERE/login_link.py" "$WORK/mail" "$email" 2>/dev/null) && break; sleep 0.1; done
  [ -n "$token" ] || { echo "no sign-in mail to $email arrived (see $WORK/run-*.log)" >&2; return 1; }
  csrf=$(curl -s -c "$jar" -b "$jar" "$URL/login/$token" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" "$URL/login/$token"
  awk '$6 == "arshjul_session" { print $7 }' "$jar" | grep . || { echo "sign-in of $email failed" >&2; return 1; }
}

for engine in $ENGINES; do
  case $engine in
  sqlite) rm -f "$WORK/web.db"*; export DATABASE_URL="sqlite://$WORK/web.db" ;;
  postgres)
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$PG_DB" ;;
  *) echo "unknown engine $engine" >&2; exit 2 ;;
  esac
  t0=$(date +%s.%N)
  synced=$(cd "$WORK" && timeout 900 "$BIN" sync | head -1)
  echo "$engine: $synced ($(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s)"

  # sign in by the link in the email
  rm -rf "$WORK/mail" "$WORK/jar"
  python3 -W ignore "$HERE/smtp_capture.py" "$SMTP_PORT" "$WORK/mail" & PIDS+=($!); CAP=$!
  for _ in $(seq 100); do python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $SMTP_PORT), 1)" 2>/dev/null && break; sleep 0.1; done
  (cd "$WORK" && exec "$BIN" run) 2> "$WORK/run-$engine.log" & PIDS+=($!); D=$!
  wait_up
  CHEF_SESSION=$(sign_in "$CHEF")
  KVAL_SESSION=$(sign_in "$KVAL")
  stop "$D"; stop "$CAP"
  export COOKIE="arshjul_session=$CHEF_SESSION"

  # the pages alone, as `arshjul serve`
  (cd "$WORK" && exec "$BIN" serve) 2> "$WORK/serve-$engine.log" & PIDS+=($!); S=$!
  wait_up
  # the first request renders the page (cold: nothing cached yet), the second is served
  # from the cache (warm: the store has not changed since)
  read -r code cold < <(curl -s -b "$COOKIE" -o "$WORK/overview.html" -w '%{http_code} %{time_total}\n' "$URL/overview")
  [ "$code" = 200 ] || { echo "GET /overview answered $code" >&2; exit 1; }
  bytes=$(wc -c < "$WORK/overview.html")
  gz=$(gzip -c "$WORK/overview.html" | wc -c)
  rows=$(grep -o '<tr' "$WORK/overview.html" | wc -l)
  single=$(curl -s -b "$COOKIE" -o /dev/null -w '%{time_total}' "$URL/overview")
  # the reports: the kvalitetschef of kommun-000 reports each of their checkpoints of the läsår
  # in turn (benches/web/report.lua cycles through the paths; later rounds replace reports)
  (cd "$WORK" && "$BIN" status --organisation kommun-000 --role kvalitetschef --format json) | python3 -c '
import json, sys, urllib.parse
for r in json.load(sys.stdin):
    if r["due"] and "2021-07-01" <= r["due"] <= "2022-06-30":
        print("/checkpoint/" + urllib.parse.quote(r["id"], safe="") + "/report")' > "$WORK/report-paths"
  export KVAL_COOKIE="arshjul_session=$KVAL_SESSION" REPORT_PATHS="$WORK/report-paths" CSRF
  first=$(head -1 "$REPORT_PATHS")
  CSRF=$(curl -s -b "$KVAL_COOKIE" "$URL$first" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  code=$(curl -s -b "$KVAL_COOKIE" -o "$WORK/report.html" -w '%{http_code}' --data "csrf=$CSRF&outcome=genomf%C3%B6rd&reason=&uppfoljning=x&analys=y&links=" "$URL$first")
  [ "$code" = 200 ] || { echo "POST $first answered $code" >&2; exit 1; }
  cold_ms=$(python3 -c "print(round($cold * 1000, 1))"); warm_ms=$(python3 -c "print(round($single * 1000, 1))")
  echo "$engine: GET /overview: $bytes bytes ($gz gzipped), $rows table rows, one request alone: cold (rendered) $cold_ms ms, warm (cached) $warm_ms ms"
  wrk -t2 -c"$CONNS" --timeout 30s -d"${SECS}s" --latency -s "$HERE/get.lua" "$URL/overview" > "$WORK/wrk-get.txt"
  get_load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$engine: GET /overview, $CONNS connections, ${SECS} s: $(summarise "$WORK/wrk-get.txt")"
  wrk -t2 -c"$CONNS" --timeout 30s -d"${SECS}s" --latency -s "$HERE/report.lua" "$URL$first" > "$WORK/wrk-post.txt" 2> "$WORK/wrk-post.err"
  post_load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$engine: POST /checkpoint/…/report ($(wc -l < "$REPORT_PATHS") checkpoints in turn), $CONNS connections, ${SECS} s: $(summarise "$WORK/wrk-post.txt")"
  [ -s "$WORK/wrk-post.err" ] && head -3 "$WORK/wrk-post.err"
  SUMMARY+=("SUMMARY $engine GET  /overview        $(summarise "$WORK/wrk-get.txt")  page $bytes B  cold $cold_ms ms  warm $warm_ms ms  load $get_load")
  report_bytes=$(wc -c < "$WORK/report.html")
  SUMMARY+=("SUMMARY $engine POST /checkpoint/…/report $(summarise "$WORK/wrk-post.txt")  page $report_bytes B  load $post_load")
  stop "$S"
done
# one line per engine and page, for comparing runs (load: the 1-minute load average right
# after the run; other work on the machine shows there)
printf '%s\n' "${SUMMARY[@]}"

#!/usr/bin/env bash
# Idle daemon: resident memory and wake-ups when nothing is due (BENCHMARKS.md).
#
# Starts the release binary on the shipped workflows and a fresh SQLite file, with the clock
# at 08:00 on a Saturday (no send time today; nothing to retry), waits until it is running,
# then reads VmRSS and the process's context switches over 60 s of real time (every thread:
# tokio workers, the SQLite worker, timers). A wake-up of any thread is a context switch.
#
# Run: cargo build --release && benches/idle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/arshjul
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'kill $smtp $daemon 2>/dev/null || true; rm -rf "$tmp"' EXIT

port=$((20000 + RANDOM % 20000))
python3 -W ignore -m smtpd -n -c DebuggingServer "127.0.0.1:$port" >/dev/null 2>&1 &
smtp=$!
sleep 1

ARSHJUL_NOW=2021-05-22T06:00:00Z DATABASE_URL="sqlite://$tmp/idle.db" ARSHJUL_SMTP_URL="smtp://127.0.0.1:$port" \
  "$bin" run 2>"$tmp/log" &
daemon=$!
for _ in $(seq 100); do grep -q 'arshjul kör' "$tmp/log" 2>/dev/null && break; sleep 0.1; done
sleep 5

switches() {
  local total=0
  for t in /proc/$daemon/task/*/status; do
    v=$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t"); n=$(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "$t")
    total=$((total + v + n))
  done
  echo $total
}
rss=$(awk '/^VmRSS/ {print $2}' /proc/$daemon/status)
hwm=$(awk '/^VmHWM/ {print $2}' /proc/$daemon/status)
threads=$(ls /proc/$daemon/task | wc -l)
a=$(switches)
sleep 60
b=$(switches)
echo "idle daemon: VmRSS $((rss / 1024)) MiB (peak $((hwm / 1024)) MiB), $threads threads, $((b - a)) context switches in 60 s"

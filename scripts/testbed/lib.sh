# Shared by up.sh, down.sh and scripts/test.sh: where the testbed lives and how it talks.
# shellcheck shell=bash

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TB="$REPO/.testbed"
TEST_USER="fleet-test"
# sshd, dockerd and useradd live in sbin, which a non-login shell's PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
SSHD_PIDFILE="$TB/sshd.pid"
# Present only when this testbed started dockerd, so down.sh never stops an engine it found running.
DOCKERD_PIDFILE="$TB/dockerd.pid"

tb_log() { echo "testbed: $*" >&2; }
tb_die() { echo "testbed: error: $*" >&2; exit 1; }
tb_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# True when the process in the pid file is alive.
tb_pid_alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Sends TERM, waits up to $2 seconds, then KILL: only to the pid recorded in file $1.
tb_stop_pid() {
  local pidfile="$1" grace="${2:-10}" pid
  tb_pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
}

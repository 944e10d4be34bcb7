#!/usr/bin/env bash
# Stops what scripts/testbed/up.sh started: its sshd, and dockerd only if up.sh started it. Locks
# and expires the test user so its password and keys open nothing once the testbed is down.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -d "$TB" ]] || exit 0
exec 9>"$TB/lock"
flock 9

rm -f "$TB/env" "$TB/keep"
tb_stop_pid "$SSHD_PIDFILE" 10
if id "$TEST_USER" >/dev/null 2>&1; then
  usermod --lock --expiredate 1 "$TEST_USER" >/dev/null
  home="$(getent passwd "$TEST_USER" | cut -d: -f6)"
  rm -f "$home/.ssh/authorized_keys"
fi
if [[ -s "$DOCKERD_PIDFILE" ]]; then
  tb_log "stopping the dockerd this testbed started"
  tb_stop_pid "$DOCKERD_PIDFILE" 30
fi
tb_log "down"

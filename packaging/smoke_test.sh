#!/usr/bin/env bash
# Smoke test of the frozen client: run `bridewell --self-test` offscreen with a fresh data folder and fail on
# a non-zero exit, a failed check, or any stderr line that is not on the allow-list below.
# The keyring the frozen app found (keyring.get_keyring()) must be reported. When dbus-daemon and
# gnome-keyring-daemon are installed, a second run inside a private session bus with an unlocked Secret
# Service must find it secure: that proves the keyring backends survived freezing (keyring issue 591).
#   packaging/smoke_test.sh [path/to/bridewell]     (default dist/bridewell/bridewell)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-dist/bridewell/bridewell}
[ -x "$bin" ] || { echo "smoke: $bin not found; run packaging/build.sh" >&2; exit 1; }

# Expected stderr: the offscreen platform plugin's notice, D-Bus failing to raise the fd limit when not
# run as a service, and the client's own announcements, which --self-test echoes as "[bridewell] ...".
allowed='propagateSizeHints|Failed to set fd limit|^\[bridewell\] '

tmp=$(mktemp -d -t bridewell-smoke-XXXXXX)
pids=()
cleanup() {
  # End what we started by PID and wait for it: PID 1 here does not reap orphans.
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/home" "$tmp/runtime"
chmod 700 "$tmp/runtime"
failures=0

self_test() {  # label, then extra VAR=value settings
  local label=$1; shift
  local out="$tmp/$label.out" err="$tmp/$label.err" start end rc=0
  start=$(date +%s%N)
  env -u DBUS_SESSION_BUS_ADDRESS HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/runtime" QT_QPA_PLATFORM=offscreen "$@" \
    "$bin" --self-test --data-dir "$tmp/data-$label" >"$out" 2>"$err" || rc=$?
  end=$(date +%s%N)
  echo "smoke [$label]: exit $rc in $(( (end - start) / 1000000 )) ms"
  sed 's/^/  | /' "$out"
  if [ $rc -ne 0 ] || ! grep -q '^Self-test passed' "$out"; then
    echo "smoke [$label]: FAIL self-test did not pass"; sed 's/^/  ! /' "$err"; failures=$((failures + 1))
  fi
  if grep -vE "$allowed" "$err" | grep -q .; then
    echo "smoke [$label]: FAIL unexpected stderr:"; grep -vE "$allowed" "$err" | sed 's/^/  ! /'
    failures=$((failures + 1))
  fi
  if ! grep -q 'Keyring' "$out"; then
    echo "smoke [$label]: FAIL the self-test did not report keyring.get_keyring()"; failures=$((failures + 1))
  fi
}

# 1. As on a bare workstation: no session bus, so no Secret Service. The app must say so, not crash.
self_test bare

# 2. With a real Secret Service on a private session bus: the frozen keyring must find and accept it.
if command -v dbus-daemon >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  cat >"$tmp/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir=$tmp/runtime</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
  exec 3< <(exec dbus-daemon --config-file="$tmp/session.conf" --nofork --print-address=1 2>"$tmp/dbus.err")
  # process substitution: $! is the bus daemon itself thanks to the inner exec
  pids+=($!)
  read -r -t 60 address <&3 || { echo "smoke: dbus-daemon did not start"; cat "$tmp/dbus.err"; exit 1; }
  export_env=(DBUS_SESSION_BUS_ADDRESS="$address")
  printf 'smoke-test' | env HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/runtime" DBUS_SESSION_BUS_ADDRESS="$address" \
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$tmp/keyring.out" 2>"$tmp/keyring.err" &
  pids+=($!)
  for _ in $(seq 1200); do  # up to 60 s: on a loaded machine the service takes a while to register
    if env DBUS_SESSION_BUS_ADDRESS="$address" dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
         org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
      break
    fi
    sleep 0.05
  done
  self_test secret-service "${export_env[@]}"
  if ! grep -Eq '^ok +Keyring: .*SecretService.* is secure' "$tmp/secret-service.out"; then
    echo "smoke [secret-service]: FAIL the frozen app did not use the Secret Service keyring"
    failures=$((failures + 1))
  fi
else
  echo "smoke: dbus-daemon or gnome-keyring-daemon missing; the Secret Service check did not run"
fi

if [ $failures -ne 0 ]; then
  echo "smoke: $failures failure(s)"
  exit 1
fi
echo "smoke: passed"

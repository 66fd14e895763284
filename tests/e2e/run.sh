#!/usr/bin/env bash
# Desktop end-to-end test, everything in one command:
#   builds the UI and the app (debug, with custom-protocol: the real bundled
#   UI, no dev server) and the simulator, starts Xvfb, a private D-Bus
#   session with an unlocked gnome-keyring and tauri-driver, with a fresh
#   HOME and XDG_DATA_HOME, runs desktop.test.mjs, and cleans up.
# Screenshots: tests/e2e/output/ (E2E_OUTPUT to change).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
if [ -f scripts/env.sh ]; then source scripts/env.sh; fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export PATH="$HOME/.cargo/bin:$PATH"

need() { command -v "$1" >/dev/null || { echo "e2e: $1 is missing ($2)" >&2; exit 1; }; }
need Xvfb "apt-get install xvfb"
need dbus-run-session "apt-get install dbus-x11"
need gnome-keyring-daemon "apt-get install gnome-keyring"
need WebKitWebDriver "apt-get install webkit2gtk-driver"
need tauri-driver "cargo install tauri-driver --locked"
need node "apt-get install nodejs"

echo "==> e2e: building the UI"
if [ ! -d ui/node_modules ]; then (cd ui && npm ci --no-audit --no-fund --loglevel=error); fi
# VITE_E2E=1: this build alone carries the test's hooks on window.
(cd ui && VITE_E2E=1 npm run build --silent)

echo "==> e2e: building the desktop app (custom-protocol) and the simulator"
cargo build -p shotkeeper-desktop --features custom-protocol
cargo build -p shotkeeper-sim --bin shotkeeper-sim
app="$CARGO_TARGET_DIR/debug/shotkeeper-desktop"
simbin="$CARGO_TARGET_DIR/debug/shotkeeper-sim"

out="${E2E_OUTPUT:-$here/output}"
rm -rf "$out" && mkdir -p "$out"
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A fresh machine: nothing from the real HOME (data, keychain, window state).
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1 GDK_BACKEND=x11 LIBGL_ALWAYS_SOFTWARE=1
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY

echo "==> e2e: starting Xvfb"
exec 3>"$tmp/display"
Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
pids+=($!)
exec 3>&-
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
[ -s "$tmp/display" ] || { echo "e2e: Xvfb did not start" >&2; cat "$out/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$tmp/display")"

port="$(free_port)"
native_port="$(free_port)"
# The name the app records on jobs and revisions (by default the OS user).
export SHOTKEEPER_AS="E2E Tester"
export SHOTKEEPER_APP="$app" SHOTKEEPER_SIM="$simbin" WEBDRIVER_URL="http://127.0.0.1:$port" E2E_OUTPUT="$out"

echo "==> e2e: running on $DISPLAY (D-Bus session, gnome-keyring, tauri-driver :$port)"
set +e
timeout --kill-after=10 900 dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n "shotkeeper-e2e" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  tauri-driver --port "$0" --native-port "$1" >"$E2E_OUTPUT/tauri-driver.log" 2>&1 &
  driver=$!
  trap "kill $driver 2>/dev/null || true; wait $driver 2>/dev/null || true" EXIT
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$0) 2>/dev/null && break; sleep 0.1; done
  node --test --test-reporter=spec --test-concurrency=1 "'"$here"'/desktop.test.mjs"
' "$port" "$native_port"
status=$?
set -e
echo "==> e2e: screenshots in $out"
ls "$out" | grep -c '\.png$' | xargs -I{} echo "    {} PNG files"
exit $status

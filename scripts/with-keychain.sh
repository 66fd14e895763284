#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring, the real Secret Service the OS keychain uses on Linux.
# Headless machines (CI) have no session bus of their own.
set -euo pipefail
exec dbus-run-session -- bash -c '
  echo -n "shotkeeper-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"
' bash "$@"

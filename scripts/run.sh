#!/usr/bin/env bash
# Installs what is needed and starts the Shotkeeper desktop app on its
# embedded defaults: the demo help center, SQLite in the platform data
# directory, and the OS keychain.
set -euo pipefail
cd "$(dirname "$0")/.."
SHOTKEEPER_SKIP_TEST_TOOLS=1 SHOTKEEPER_SKIP_PACKAGE_TOOLS=1 bash scripts/setup.sh
source scripts/env.sh
(cd ui && npm run build)
cargo build --release -p shotkeeper-desktop --features custom-protocol
app="$CARGO_TARGET_DIR/release/shotkeeper-desktop"
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  exec "$app"
else
  # No desktop session (a bare server or container): give the app its own
  # session bus and keychain so secrets still go to a real Secret Service.
  exec bash scripts/with-keychain.sh "$app"
fi

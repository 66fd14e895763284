#!/usr/bin/env bash
# Installs everything Shotkeeper needs on a fresh Debian 12 machine: system
# libraries for Tauri/WebKit, the headless desktop pieces for tests (Xvfb,
# D-Bus, gnome-keyring, WebKitWebDriver), tools installed with cargo
# (tauri-driver, s3s-fs, and for the package tauri-cli and cargo-about, at the
# versions pinned below) and the UI's npm packages (installed with npm).
# Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  webkit2gtk-driver xvfb xauth dbus-x11 gnome-keyring libsecret-tools imagemagick curl
  # Capture (crates/core/src/capture): the headless browser the screenshots are taken with.
  chromium
  # Team mode's store (crates/core/migrations/postgres): scripts/with-postgres.sh
  # starts a throwaway PostgreSQL 15 server from it for the tests.
  postgresql
)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "cargo is missing: install Rust from rustup first"; exit 1; }
command -v npm >/dev/null || { echo "==> apt: installing nodejs npm"; sudo_if_needed apt-get install -y -qq nodejs npm >/dev/null; }

export PATH="$HOME/.cargo/bin:$PATH"
if [ "${SHOTKEEPER_SKIP_TEST_TOOLS:-0}" != 1 ]; then
  command -v tauri-driver >/dev/null || { echo "==> cargo install tauri-driver"; cargo install tauri-driver --locked --quiet; }
  command -v s3s-fs >/dev/null || { echo "==> cargo install s3s-fs"; cargo install s3s-fs@0.14.1 --features binary --locked --quiet; }
fi

# The package (scripts/package.sh): Tauri's bundler, the tauri-cli release
# that matches the tauri crate in Cargo.lock (2.12), and cargo about for the
# Rust licence notices.
TAURI_CLI_VERSION=2.12.4
CARGO_ABOUT_VERSION=0.9.3
if [ "${SHOTKEEPER_SKIP_PACKAGE_TOOLS:-0}" != 1 ]; then
  if ! cargo tauri --version 2>/dev/null | grep -qx "tauri-cli $TAURI_CLI_VERSION"; then
    echo "==> cargo install tauri-cli $TAURI_CLI_VERSION"
    cargo install tauri-cli --version "$TAURI_CLI_VERSION" --locked --quiet
  fi
  if ! cargo about --version 2>/dev/null | grep -qx "cargo-about $CARGO_ABOUT_VERSION"; then
    echo "==> cargo install cargo-about $CARGO_ABOUT_VERSION"
    # Its binary needs the `cli` feature (0.9 made it optional).
    cargo install cargo-about --version "$CARGO_ABOUT_VERSION" --features cli --locked --quiet
  fi
fi

if [ -f ui/package-lock.json ]; then
  echo "==> npm ci (ui)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

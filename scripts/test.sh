#!/usr/bin/env bash
# Installs what is needed, then runs every check and test: rustfmt, clippy
# -D warnings, the UI's type check and unit tests, all Rust tests (against
# the simulators, a real S3-compatible server and the real Secret Service),
# the desktop end-to-end test in a real window under Xvfb, and the Debian
# package: built (one release build), installed with dpkg, run, removed.
set -euo pipefail
cd "$(dirname "$0")/.."
# SHOTKEEPER_TEST_PACKAGE=0 leaves out the package (its tools and its
# release build) for a quicker local run; CI runs everything.
if [ "${SHOTKEEPER_TEST_PACKAGE:-1}" = 1 ]; then
  bash scripts/setup.sh
else
  SHOTKEEPER_SKIP_PACKAGE_TOOLS=1 bash scripts/setup.sh
fi
source scripts/env.sh

if [ -f ui/package.json ]; then
  echo "==> ui: type check, unit tests, build"
  (cd ui && npm run check && npx vitest run && npm run build)
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test (inside a D-Bus session with gnome-keyring)"
bash scripts/with-keychain.sh cargo test --workspace --locked -- --test-threads=2

echo "==> the store's tests again on PostgreSQL 15 (team mode), a throwaway server"
# The same test binaries: with SHOTKEEPER_TEST_POSTGRES_URL set, each test
# opens a fresh PostgreSQL database of its own instead of a SQLite file.
bash scripts/with-keychain.sh bash scripts/with-postgres.sh \
  cargo test --locked -p shotkeeper-core \
    --test store --test shared_files --test job_leases --test api_keys --test app_clients --test audit_known_answers \
    --test audit_settings --test import_counts --test import_resume \
    --test job_view_cache --test rewrite_round_trip --test sealed_secrets \
    --test update_flow --test update_review --test update_s3 --test team_settings --test team_key \
    --test provider_freshdesk --test provider_helpcenter --test provider_helpcenterio \
    --test provider_helpjuice --test provider_helpscout --test provider_intercom \
    --test provider_knowledgeowl --test provider_zendesk \
  -p shotkeeper-cli --test team --test replicas --test serve_kill \
  -- --include-ignored --test-threads=2

if [ -x tests/e2e/run.sh ]; then
  echo "==> desktop end-to-end"
  bash tests/e2e/run.sh
fi
if [ "${SHOTKEEPER_TEST_PACKAGE:-1}" = 1 ]; then
  echo "==> the Debian package"
  bash tests/package/run.sh
fi
echo "==> all checks passed"

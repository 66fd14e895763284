# Sourced by the scripts: a build directory outside the clone (kept between
# runs on one machine), and cargo's bin directory on PATH.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  if [ -d /work ] && [ -w /work ]; then export CARGO_TARGET_DIR=/work/target
  else export CARGO_TARGET_DIR="$HOME/.cache/shotkeeper-target"; fi
fi
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

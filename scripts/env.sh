# Sourced by the scripts: a build directory outside the clone (kept between
# runs on one machine), and cargo's bin directory on PATH.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  if [ -d /work ] && [ -w /work ]; then export CARGO_TARGET_DIR=/work/target
  else export CARGO_TARGET_DIR="$HOME/.cache/shotkeeper-target"; fi
fi
export PATH="$HOME/.cargo/bin:$PATH"
# No incremental caches: the scripts build whole suites from clones at
# changing paths, where they are never reused and once filled the disk
# (18 GB in one day of runs).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

//! The exit statuses of `shotkeeper`, the contract scripts and CI rely on
//! (README, "Exit status"). A command that writes ends with exactly one of
//! these.

/// Everything asked for was done.
pub const OK: i32 = 0;
/// The command stopped on an error not listed below (network, help center
/// error, database); the one-line reason is on stderr.
pub const FAILED: i32 = 1;
/// Bad input: unknown id, malformed option, unusable file or setting.
pub const BAD_INPUT: i32 = 2;
/// The help center or storage refused the credentials (401/403, missing secret).
pub const CREDENTIALS: i32 = 3;
/// The OS keychain is not reachable (use `--secret-env NAME` there).
pub const NO_KEYCHAIN: i32 = 4;
/// Partly done: some articles or screenshots failed, the rest was applied
/// (update, apply) or imported (import); the output says which.
pub const PARTLY_FAILED: i32 = 5;
/// Cancelled with Ctrl-C (an import can be resumed).
pub const CANCELLED: i32 = 130;

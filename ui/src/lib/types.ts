// The types that cross the command boundary are generated from the Rust
// types (ui/src/lib/bindings, written by the desktop crate's `bindings` test,
// which fails when they are stale). Only names the UI gives them differently
// live here.
export type * from "./bindings";
export type { Rule as AuditRule } from "./bindings";

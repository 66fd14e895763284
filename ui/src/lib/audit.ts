// Audit findings from core, as the images view filters by them.

import type { AuditReport, AuditRule } from "./types";

export interface RuleInfo {
  rule: AuditRule;
  label: string;
  /** What it means and why it matters, for the chip's tooltip. */
  help: string;
}

/** The rules in the order the images view shows them. */
export const RULES: readonly RuleInfo[] = [
  { rule: "broken", label: "Broken", help: "The download failed: readers see nothing." },
  { rule: "missing_alt", label: "Missing alt", help: "No alt text, or empty: screen readers say nothing." },
  { rule: "heavy", label: "Heavy", help: "Over the heavy threshold (Thresholds), or far larger than the size they are shown at." },
  { rule: "insecure", label: "Insecure", help: "Served over plain http: browsers warn on an https help center." },
  { rule: "hotlinked", label: "Hotlinked", help: "Hosted outside your help center and storage: it can change or vanish." },
  { rule: "duplicate", label: "Duplicates", help: "The same picture stored at several URLs." },
  { rule: "old", label: "Old", help: "Last modified longer ago than the age threshold (Thresholds): likely out of date." },
];

/** The image URLs each rule found. */
export function urlsByRule(report: AuditReport | null): Map<AuditRule, Set<string>> {
  const out = new Map<AuditRule, Set<string>>();
  for (const r of RULES) out.set(r.rule, new Set());
  for (const f of report?.findings ?? []) out.get(f.rule)?.add(f.url);
  return out;
}

/** What each rule says about one image, for its detail panel. */
export function findingsFor(report: AuditReport | null, url: string): { label: string; detail: string }[] {
  if (!report) return [];
  return report.findings
    .filter((f) => f.url === url)
    .map((f) => ({ label: RULES.find((r) => r.rule === f.rule)?.label ?? f.rule, detail: f.detail }));
}

/**
 * A threshold as typed in the audit settings: a whole number, or null when
 * it is not one (blank, decimals, letters). Whether it is in range is core's
 * to say when it is saved.
 */
export function parseWhole(text: string): number | null {
  const t = text.trim();
  return /^\d{1,9}$/.test(t) ? Number(t) : null;
}

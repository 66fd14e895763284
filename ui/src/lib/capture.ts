// Words of the Capture view, from what core sends: a scenario's state in a
// run, and the run's outcome. Pure, so they are tested without the app.

import { asSentence, formatShortDate, plural } from "./format";
import type { CaptureRun, CaptureStatus, ScenarioSummary } from "./types";

/** What a scenario row shows: its state, and one line about it. */
export interface ScenarioLine {
  state: "idle" | "waiting" | "capturing" | "captured" | "failed";
  text: string;
}

/**
 * A scenario's line: its status in the current (or last) run when it has
 * one, "waiting" when the run has not reached it yet, else its last capture.
 */
export function scenarioLine(s: ScenarioSummary, status: CaptureStatus | undefined, pending: boolean): ScenarioLine {
  if (status?.state === "capturing") return { state: "capturing", text: "Capturing…" };
  if (status?.state === "failed") return { state: "failed", text: asSentence(status.error) };
  if (status?.state === "captured") {
    const c = status.capture;
    return { state: "captured", text: `Captured ${c.width}×${c.height} in ${status.seconds.toFixed(1)} s` };
  }
  if (pending) return { state: "waiting", text: "Waiting for a tab…" };
  if (s.last) return { state: "idle", text: `Last captured ${formatShortDate(s.last.capturedAt)} · ${s.last.width}×${s.last.height}` };
  return { state: "idle", text: "Not captured yet" };
}

/** "7 captured · 1 failed", for the line above the list after a run. */
export function runSummary(run: CaptureRun): string {
  const captured = run.outcomes.filter((o) => o.state === "captured").length;
  const parts = [`${captured} captured`];
  if (run.failed) parts.push(`${run.failed} failed`);
  return parts.join(" · ");
}

/** The sentence under the header: what capturing does with this file. */
export function captureHint(scenarios: number, reviewing: string | null): string {
  const what = plural(scenarios, "scenario");
  return reviewing
    ? `${what}; captures are matched against ${reviewing} and open in Replace for review`
    : `${what}; import a help center to match the captures against its images`;
}

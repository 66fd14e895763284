// Capture: the scenarios file open in the Capture view, the run in
// progress, and the hand-over of the captured PNGs to Replace's review.
// Components read `capture` and call these actions; only `api` talks to Rust.

import { api, ApiError, chooseShotsFile, toApiError } from "./api";
import { reviewScreenshots } from "./replace.svelte";
import { app, navigate } from "./state.svelte";
import type { CaptureRun, CaptureStatus, ShotsOverview } from "./types";

class CaptureState {
  file = $state<ShotsOverview | null>(null);
  /** The file being opened, or the one that could not be (named with its error). */
  path = $state<string | null>(null);
  opening = $state(false);
  /** Why the file could not be read, or why the run could not start (shown in place). */
  error = $state<ApiError | null>(null);
  running = $state(false);
  cancelling = $state(false);
  /** Each scenario's latest status in the current or last run, by id. */
  status = $state<Record<string, CaptureStatus>>({});
  /** Scenarios of the current run that have not ended yet. */
  pending = $state<string[]>([]);
  run = $state<CaptureRun | null>(null);
  /** The captures of the last run are in Replace's review. */
  reviewed = $state(false);
  restored = false;
}

export const capture = new CaptureState();

/** Opens the file opened last time, once per start of the app. */
export async function restoreShots(): Promise<void> {
  if (capture.restored) return;
  capture.restored = true;
  try {
    const path = await api.recentShots();
    if (path && !capture.file) await openShots(path);
  } catch (e) {
    capture.error = toApiError(e);
  }
}

/** Reads a scenarios file; a mistake in it is shown with its line and column. */
export function openShots(path: string): Promise<void> {
  return show(path, () => api.openShots(path));
}

/** The scenarios of the demo app that the demo help center documents. */
export function openDemoShots(): Promise<void> {
  return show(null, api.openDemoShots);
}

/** Shows the file `load` reads; a new file starts with no run shown. */
async function show(path: string | null, load: () => Promise<ShotsOverview>): Promise<void> {
  if (capture.running) return;
  capture.opening = true;
  capture.path = path;
  capture.error = null;
  try {
    const file = await load();
    if (file.path !== capture.file?.path) {
      capture.status = {};
      capture.run = null;
      capture.reviewed = false;
    }
    capture.file = file;
    capture.path = file.path;
  } catch (e) {
    capture.file = null;
    capture.error = toApiError(e);
  } finally {
    capture.opening = false;
  }
}

/** "Open…": the system's file chooser, then `openShots`. */
export async function pickShotsFile(): Promise<void> {
  try {
    const path = await chooseShotsFile();
    if (path) await openShots(path);
  } catch (e) {
    capture.error = toApiError(e);
  }
}

/**
 * Captures the scenarios in `only` (all when empty) with live status, then
 * lists the new captures and matches them against the import in review.
 * With no failure the review opens; otherwise the view stays on the
 * failures, with the review one click away.
 */
export async function captureScenarios(only: string[] = []): Promise<void> {
  const file = capture.file;
  if (!file || capture.running) return;
  capture.running = true;
  capture.error = null;
  capture.run = null;
  capture.reviewed = false;
  capture.pending = only.length ? [...only] : file.scenarios.map((s) => s.id);
  for (const id of capture.pending) delete capture.status[id];
  try {
    const run = await api.captureShots(file.path, only, (s) => {
      capture.status[s.id] = s;
      if (s.state !== "capturing") capture.pending = capture.pending.filter((id) => id !== s.id);
    });
    for (const o of run.outcomes) capture.status[o.id] = o;
    capture.run = run;
    capture.file = await api.openShots(file.path);
    if (run.files.length && app.reviewJob) {
      capture.reviewed = await reviewScreenshots(run.files);
      if (capture.reviewed && run.failed === 0) navigate("replace");
    }
  } catch (e) {
    capture.error = toApiError(e);
  } finally {
    capture.running = false;
    capture.cancelling = false;
    capture.pending = [];
  }
}

/** Stops starting scenarios; those already captured are kept. */
export async function cancelCapture(): Promise<void> {
  if (!capture.file || !capture.running) return;
  capture.cancelling = true;
  try {
    await api.cancelCapture(capture.file.path);
  } catch (e) {
    capture.error = toApiError(e);
    capture.cancelling = false;
  }
}

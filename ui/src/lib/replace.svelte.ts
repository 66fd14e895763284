// Replacing screenshots: the plan in review, its diffs, and the update
// being applied. Components read `replace` and call these actions; only
// `api` talks to Rust.

import { api, ApiError, chooseScreenshots, toApiError } from "./api";
import { app, navigate } from "./state.svelte";
import type { ApplyProgress, DiffResult, UpdatePlan, UpdateResult } from "./types";

export interface DiffState {
  data: DiffResult | null;
  loading: boolean;
  error: ApiError | null;
}

class ReplaceState {
  plan = $state<UpdatePlan | null>(null);
  planning = $state(false);
  /** What went wrong with the last drop, save or update (shown in place). */
  error = $state<ApiError | null>(null);
  applying = $state(false);
  cancelling = $state(false);
  progress = $state<ApplyProgress | null>(null);
  result = $state<UpdateResult | null>(null);
  /** Diffs by `${sha256} ${oldUrl}`, loaded when a match is opened. */
  diffs = $state<Record<string, DiffState>>({});
  /** The match whose diff is open: [sha256, oldUrl]. */
  comparing = $state<[string, string] | null>(null);
  /** Files are being dragged over the window; `dropTarget` is the image under the pointer. */
  dragging = $state(false);
  dropTarget = $state<string | null>(null);
}

export const replace = new ReplaceState();

const diffKey = (sha: string, url: string) => `${sha} ${url}`;

/**
 * What the drag-and-drop handler calls with the dropped files or folders:
 * matches them against the import in review and opens the review. Dropped
 * on an image (`target`), the one screenshot replaces that image, chosen by
 * hand. While a plan is in review (not yet applied), new drops join it.
 */
export async function dropScreenshots(paths: string[], target: string | null = null): Promise<void> {
  replace.dragging = false;
  replace.dropTarget = null;
  if (!paths.length || replace.applying) return;
  navigate("replace");
  await reviewScreenshots(paths, target);
}

/**
 * Matches screenshots against the import in review and keeps the plan for
 * review, without leaving the current view (Capture shows its own outcome
 * first). Resolves with whether a plan is now in review.
 */
export async function reviewScreenshots(paths: string[], target: string | null = null): Promise<boolean> {
  const job = app.reviewJob;
  if (!job) {
    replace.error = new ApiError("invalid", "Import a help center first: dropped screenshots are matched against the images of an import.");
    return false;
  }
  const current = replace.plan && !replace.result && replace.plan.jobId === job.id ? replace.plan : null;
  replace.planning = true;
  replace.error = null;
  try {
    const plan = await api.planUpdate({
      jobId: job.id,
      paths,
      dropTarget: target,
      extendPlan: current?.id ?? null,
      // null lets core choose where uploads go (its own upload, else the first S3/R2).
      storageIntegrationId: current ? current.storageIntegrationId : null,
    });
    replace.plan = plan;
    replace.result = null;
    replace.progress = null;
    replace.comparing = null;
    return true;
  } catch (e) {
    replace.error = toApiError(e);
    return false;
  } finally {
    replace.planning = false;
  }
}

/** "Choose screenshots…" / "Choose a folder…": the same as dropping what was chosen. */
export async function pickScreenshots(folder: boolean): Promise<void> {
  try {
    const paths = await chooseScreenshots(folder);
    if (paths.length) await dropScreenshots(paths);
  } catch (e) {
    replace.error = toApiError(e);
  }
}

/** Stores an edited plan (selection, storage); the view shows it at once. */
export async function editPlan(plan: UpdatePlan): Promise<void> {
  const before = replace.plan;
  replace.plan = plan;
  replace.error = null;
  try {
    await api.savePlan(plan);
  } catch (e) {
    replace.plan = before;
    replace.error = toApiError(e);
  }
}

export async function openDiff(sha256: string, oldUrl: string): Promise<void> {
  replace.comparing = [sha256, oldUrl];
  const key = diffKey(sha256, oldUrl);
  if (replace.diffs[key]?.data || replace.diffs[key]?.loading || !replace.plan) return;
  replace.diffs[key] = { data: null, loading: true, error: null };
  try {
    replace.diffs[key] = { data: await api.diffMatch(replace.plan.id, sha256, oldUrl), loading: false, error: null };
  } catch (e) {
    replace.diffs[key] = { data: null, loading: false, error: toApiError(e) };
  }
}

export function diffOf(sha256: string, oldUrl: string): DiffState | undefined {
  return replace.diffs[diffKey(sha256, oldUrl)];
}

/** Applies the plan in review: every selected change, article by article. */
export async function applyPlan(): Promise<void> {
  const plan = replace.plan;
  if (!plan || replace.applying) return;
  replace.applying = true;
  replace.error = null;
  replace.progress = null;
  try {
    replace.result = await api.applyPlan(plan.id, (p) => (replace.progress = p));
  } catch (e) {
    replace.error = toApiError(e);
  } finally {
    replace.applying = false;
    replace.cancelling = false;
  }
}

export async function cancelApply(): Promise<void> {
  if (!replace.plan || !replace.applying) return;
  replace.cancelling = true;
  try {
    await api.cancelUpdate(replace.plan.id);
  } catch (e) {
    replace.error = toApiError(e);
    replace.cancelling = false;
  }
}

/** Closes the review (the plan stays stored in core). */
export function discardPlan(): void {
  replace.plan = null;
  replace.result = null;
  replace.progress = null;
  replace.error = null;
  replace.comparing = null;
  replace.diffs = {};
}

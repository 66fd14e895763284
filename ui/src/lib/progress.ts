// What the import progress view shows, from a progress report. Pure, tested.

import type { ImportProgress, JobStatus, UpdateActivity } from "./types";

export interface ProgressDisplay {
  /** 0..100, or null while the total is not known yet (indeterminate bar). */
  percent: number | null;
  phaseLabel: string;
}

export function progressDisplay(p: ImportProgress | null): ProgressDisplay {
  if (!p) return { percent: null, phaseLabel: "Starting…" };
  const total = p.articlesDiscovered + p.imagesToDownload;
  const done = p.articlesProcessed + p.articlesFailed + p.imagesDownloaded;
  if (p.phase === "done") return { percent: 100, phaseLabel: "Finished" };
  const phaseLabel = p.notice
    ? p.notice
    : p.phase === "listing"
      ? "Listing articles…"
      : p.phase === "articles"
        ? "Reading articles and finding images…"
        : "Downloading and analysing images…";
  if (p.phase === "listing" || total === 0) return { percent: null, phaseLabel };
  return { percent: Math.min(99, Math.floor((done / total) * 100)), phaseLabel };
}

/**
 * How far a stopped (cancelled or failed) import got, from its counts: the
 * last report of a stopped import may say "done" without being complete.
 */
export function stoppedPercent(p: ImportProgress | null): number | null {
  if (!p) return null;
  const total = p.articlesDiscovered + p.imagesToDownload;
  if (total === 0) return 0;
  const done = p.articlesProcessed + p.articlesFailed + p.imagesDownloaded;
  return Math.min(99, Math.floor((done / total) * 100));
}

export function canResume(status: JobStatus): boolean {
  return status === "interrupted" || status === "cancelled" || status === "failed";
}

export function canReview(status: JobStatus): boolean {
  return status !== "running" && status !== "queued" && status !== "failed";
}

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: "Waiting for a server",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

export const STATUS_TONE: Record<JobStatus, "accent" | "success" | "danger" | "warning"> = {
  queued: "accent",
  running: "accent",
  completed: "success",
  failed: "danger",
  cancelled: "warning",
  interrupted: "warning",
};

/** How often the Import view re-reads the jobs list while an import another
 * window, person or server runs is listed (a team shares one database). */
export const LIVE_POLL_MS = 3000;
/** How often it looks for imports others started, when none is running. */
export const IDLE_POLL_MS = 15000;

/** Jobs running or waiting somewhere other than this window's own import. */
export function othersActive(jobs: { id: string; status: JobStatus }[], ownJobId: string | null): boolean {
  return jobs.some((j) => (j.status === "running" || j.status === "queued") && j.id !== ownJobId);
}

/** The next re-read of the jobs list, in milliseconds. */
export function jobsPollInterval(jobs: { id: string; status: JobStatus }[], ownJobId: string | null): number {
  return othersActive(jobs, ownJobId) ? LIVE_POLL_MS : IDLE_POLL_MS;
}

/** What the Replace view says of a colleague's update being written. */
export function updateActivityLine(a: UpdateActivity): string {
  const who = a.author ?? "Someone";
  const failed = a.articlesFailed ? ` · ${a.articlesFailed} failed` : "";
  return `${who} is updating ${a.integrationLabel || "a help center"}: ${a.articlesWritten} of ${a.articlesTotal} ${a.articlesTotal === 1 ? "article" : "articles"} written${failed}`;
}

/** How often the Replace view looks for colleagues' updates when none runs:
 * an update of a few articles lasts seconds, so not the jobs list's 15. */
export const UPDATES_IDLE_POLL_MS = 5000;

/** The next look for colleagues' updates: soon while one is being written. */
export function updatesPollInterval(activity: UpdateActivity[]): number {
  return activity.length ? LIVE_POLL_MS : UPDATES_IDLE_POLL_MS;
}

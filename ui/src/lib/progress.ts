// What the import progress view shows, from a progress report. Pure, tested.

import type { ImportProgress, JobStatus } from "./types";

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
  return status !== "running" && status !== "failed";
}

export const STATUS_LABEL: Record<JobStatus, string> = {
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

export const STATUS_TONE: Record<JobStatus, "accent" | "success" | "danger" | "warning"> = {
  running: "accent",
  completed: "success",
  failed: "danger",
  cancelled: "warning",
  interrupted: "warning",
};

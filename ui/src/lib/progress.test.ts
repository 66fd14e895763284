import { describe, expect, it } from "vitest";
import { IDLE_POLL_MS, LIVE_POLL_MS, STATUS_LABEL, canResume, canReview, jobsPollInterval, othersActive, progressDisplay, stoppedPercent, UPDATES_IDLE_POLL_MS, updateActivityLine, updatesPollInterval } from "./progress";
import type { ImportProgress } from "./types";

const p = (x: Partial<ImportProgress>): ImportProgress => ({
  jobId: "j",
  phase: "articles",
  articlesDiscovered: 0,
  articlesProcessed: 0,
  articlesFailed: 0,
  imageRefs: 0,
  imagesToDownload: 0,
  imagesDownloaded: 0,
  broken: 0,
  duplicates: 0,
  notice: null,
  ...x,
});

describe("progressDisplay", () => {
  it("is indeterminate before the first report and while listing", () => {
    expect(progressDisplay(null).percent).toBeNull();
    expect(progressDisplay(p({ phase: "listing", articlesDiscovered: 50 })).percent).toBeNull();
  });
  it("counts articles and images together, never 100 before done", () => {
    expect(progressDisplay(p({ articlesDiscovered: 40, articlesProcessed: 20 })).percent).toBe(50);
    expect(progressDisplay(p({ phase: "images", articlesDiscovered: 40, articlesProcessed: 38, articlesFailed: 2, imagesToDownload: 60, imagesDownloaded: 60 })).percent).toBe(99);
    expect(progressDisplay(p({ phase: "done" })).percent).toBe(100);
  });
  it("shows core's notice while the job waits out a rate limit", () => {
    const notice = "rate limited by HelpCenter.io, resuming in 52 s";
    expect(progressDisplay(p({ phase: "listing", notice })).phaseLabel).toBe(notice);
    expect(progressDisplay(p({ phase: "listing", notice: null })).phaseLabel).toBe("Listing articles…");
  });
});

describe("job actions", () => {
  it("resumes interrupted, cancelled and failed jobs; reviews finished ones", () => {
    expect(canResume("interrupted")).toBe(true);
    expect(canResume("completed")).toBe(false);
    expect(canReview("completed")).toBe(true);
    expect(canReview("running")).toBe(false);
  });
  it("neither resumes nor reviews a job waiting in a team's queue", () => {
    expect(canResume("queued")).toBe(false);
    expect(canReview("queued")).toBe(false);
    expect(STATUS_LABEL.queued).toBe("Waiting for a server");
  });
});

describe("stoppedPercent", () => {
  const base: ImportProgress = { jobId: "j", phase: "done", articlesDiscovered: 250, articlesProcessed: 0, articlesFailed: 0, imageRefs: 0, imagesToDownload: 0, imagesDownloaded: 0, duplicates: 0, broken: 0, notice: null };
  it("says how far a cancelled import got, even when its last report says done", () => {
    expect(stoppedPercent({ ...base })).toBe(0);
    expect(stoppedPercent({ ...base, articlesProcessed: 125 })).toBe(50);
    expect(stoppedPercent({ ...base, articlesProcessed: 250 })).toBe(99);
    expect(stoppedPercent(null)).toBeNull();
  });
});


describe("the live jobs list", () => {
  const job = (id: string, status: "running" | "queued" | "completed") => ({ id, status });
  it("follows an import someone else runs, not only this window's own", () => {
    expect(othersActive([job("a", "running")], "a")).toBe(false);
    expect(othersActive([job("a", "running"), job("b", "running")], "a")).toBe(true);
    expect(othersActive([job("b", "queued")], null)).toBe(true);
    expect(othersActive([job("b", "completed")], null)).toBe(false);
  });
  it("re-reads often while others' imports run, rarely otherwise", () => {
    expect(jobsPollInterval([job("b", "running")], "a")).toBe(LIVE_POLL_MS);
    expect(jobsPollInterval([job("b", "completed")], null)).toBe(IDLE_POLL_MS);
    expect(LIVE_POLL_MS).toBeLessThan(IDLE_POLL_MS);
  });
});

describe("updateActivityLine", () => {
  const a = { planId: "p", integrationId: "i", integrationLabel: "Docs", author: "Ana", articlesWritten: 3, articlesFailed: 0, articlesTotal: 8, lastWriteAt: "2026-12-01T01:00:00.000Z" };
  it("says who updates what, and how far", () => {
    expect(updateActivityLine(a)).toBe("Ana is updating Docs: 3 of 8 articles written");
    expect(updateActivityLine({ ...a, articlesFailed: 1 })).toBe("Ana is updating Docs: 3 of 8 articles written · 1 failed");
    expect(updateActivityLine({ ...a, author: null, articlesTotal: 1, articlesWritten: 0 })).toBe("Someone is updating Docs: 0 of 1 article written");
  });
  it("looks again soon while a colleague's update runs", () => {
    expect(updatesPollInterval([a])).toBe(LIVE_POLL_MS);
    expect(updatesPollInterval([])).toBe(UPDATES_IDLE_POLL_MS);
  });
});

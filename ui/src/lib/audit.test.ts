import { describe, expect, it } from "vitest";
import { findingsFor, parseWhole, RULES, urlsByRule } from "./audit";
import { defaultImageFilter, filterImages } from "./filters";
import type { AuditReport, ImageRow } from "./types";

const row = (url: string): ImageRow => ({
  url,
  name: url.split("/").pop() ?? url,
  alt: "",
  type: "png",
  width: 1,
  height: 1,
  size: 1,
  statusCode: 200,
  hash: url,
  metadata: {},
  articlesCount: 1,
  isDuplicate: false,
  isBroken: false,
  problem: null,
  thumbnail: null,
  lastModified: null,
});

const report: AuditReport = {
  jobId: "j",
  counts: { broken: 0, missing_alt: 2, heavy: 1, insecure: 0, hotlinked: 1, duplicate: 0, old: 0 },
  findings: [
    { rule: "missing_alt", url: "http://h/a.png", detail: "no alt text in 1 article", wastedBytes: 0, articles: [] },
    { rule: "missing_alt", url: "http://h/b.png", detail: "empty alt text", wastedBytes: 0, articles: [] },
    { rule: "heavy", url: "http://h/b.png", detail: "812 KB, over 500 KB", wastedBytes: 300, articles: [] },
    { rule: "hotlinked", url: "http://other/c.png", detail: "hosted on other", wastedBytes: 0, articles: [] },
  ],
};

describe("audit filters", () => {
  it("has every rule of core, once", () => {
    expect(RULES.map((r) => r.rule).sort()).toEqual(Object.keys(report.counts).sort());
  });

  it("filters the images to those a rule found", () => {
    const rows = ["http://h/a.png", "http://h/b.png", "http://other/c.png", "http://h/d.png"].map(row);
    const found = urlsByRule(report);
    const pick = (finding: (typeof RULES)[number]["rule"]) =>
      filterImages(rows, { ...defaultImageFilter(), finding, sort: "name", dir: "asc" }, found).map((r) => r.name);
    expect(pick("missing_alt")).toEqual(["a.png", "b.png"]);
    expect(pick("heavy")).toEqual(["b.png"]);
    expect(pick("old")).toEqual([]);
    expect(filterImages(rows, defaultImageFilter(), found)).toHaveLength(4);
  });

  it("lists what each rule says about one image", () => {
    expect(findingsFor(report, "http://h/b.png")).toEqual([
      { label: "Missing alt", detail: "empty alt text" },
      { label: "Heavy", detail: "812 KB, over 500 KB" },
    ]);
    expect(findingsFor(null, "http://h/b.png")).toEqual([]);
  });
});

describe("audit thresholds as typed", () => {
  it("reads whole numbers and refuses anything else", () => {
    expect(parseWhole("500")).toBe(500);
    expect(parseWhole(" 90 ")).toBe(90);
    expect(parseWhole("0")).toBe(0);
    for (const bad of ["", "  ", "1.5", "-3", "12kb", "1e3"]) expect(parseWhole(bad)).toBeNull();
  });
});

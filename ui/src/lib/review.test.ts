import { describe, expect, it } from "vitest";
import { changedLabel, changedSincePlanNote, matchBadge, placeLabel, planSummary, selectionOf, updateLabel, usesOf, withChange, withScreenshot } from "./review";
import { formatDate } from "./format";
import type { ArticleOutcome, PlannedScreenshot, UpdatePlan } from "./types";

function shot(sha: string, matchType: PlannedScreenshot["match"]["matchType"], status: PlannedScreenshot["match"]["status"] = "matched", distance?: number): PlannedScreenshot {
  return {
    screenshot: { name: `${sha}.png`, sha256: sha, phash: null, width: 10, height: 10, metadata: {}, source: `/data/screenshots/${sha}.png` },
    match: { screenshot: `${sha}.png`, source: "", matchType, status, distance, targets: [], reason: "" },
  };
}

const change = (sha: string, oldUrl: string, selected = true) => ({
  oldUrl,
  screenshotSha256: sha,
  screenshotName: `${sha}.png`,
  matchType: "metadata" as const,
  distance: null,
  selected,
});

const plan: UpdatePlan = {
  id: "p",
  jobId: "j",
  integrationId: "i",
  storageIntegrationId: null,
  createdAt: "",
  screenshots: [shot("a", "metadata"), shot("b", "perceptual", "matched", 12), shot("c", "notfound", "notfound"), shot("d", "hash", "unchanged")],
  articles: [
    {
      articleId: "1",
      externalId: "x1",
      locale: null,
      title: "One",
      url: "",
      changes: [change("a", "u1"), change("b", "u2")],
      places: [
        { element: "source", attribute: "srcset", descriptor: "1x", url: "u1", replaces: "u1", changes: true },
        { element: "source", attribute: "srcset", descriptor: "2x", url: "u1@2x", replaces: "u1", changes: false, note: "a 2x variant, u1@2x, is not replaced" },
        { element: "img", attribute: "src", url: "u1", replaces: "u1", changes: true },
        { element: "link", attribute: "href", url: "u2", replaces: "u2", changes: true },
      ],
    },
    { articleId: "2", externalId: "x2", locale: "de", title: "Zwei", url: "", changes: [change("a", "u1")], places: [] },
    { articleId: "3", externalId: "x3", locale: null, title: "Three", url: "", changes: [change("b", "u2", false)], places: [] },
  ],
};

describe("plan review", () => {
  it("counts the articles an update writes: those with a selected change", () => {
    const s = planSummary(plan);
    expect(s).toMatchObject({ screenshots: 4, matched: 2, notfound: 1, unchanged: 1, articlesToUpdate: 2, changesSelected: 3 });
    expect(updateLabel(s.articlesToUpdate)).toBe("Update 2 articles");
    expect(updateLabel(1)).toBe("Update 1 article");
    expect(updateLabel(0)).toBe("Nothing selected to update");
  });

  it("deselects one change without touching the plan it came from", () => {
    const p = withChange(plan, "2", "u1", false);
    expect(planSummary(p).articlesToUpdate).toBe(1);
    expect(planSummary(plan).articlesToUpdate).toBe(2);
    expect(selectionOf(p, "a")).toBe("some");
    expect(selectionOf(plan, "a")).toBe("all");
  });

  it("selects or deselects every change of a screenshot", () => {
    const off = withScreenshot(plan, "a", false);
    expect(usesOf(off, "a").every((u) => !u.selected)).toBe(true);
    expect(selectionOf(off, "a")).toBe("none");
    expect(planSummary(off).articlesToUpdate).toBe(1);
    const on = withScreenshot(plan, "b", true);
    expect(usesOf(on, "b").map((u) => [u.articleId, u.selected])).toEqual([
      ["1", true],
      ["3", true],
    ]);
  });

  it("lists, per article, the places that change and those that stay beside them", () => {
    const [one] = usesOf(plan, "a");
    expect(one.places.filter((p) => p.changes).map(placeLabel)).toEqual(["picture source srcset 1x", "image src"]);
    expect(one.places.filter((p) => !p.changes).map((p) => p.note)).toEqual(["a 2x variant, u1@2x, is not replaced"]);
    expect(usesOf(plan, "b")[0].places.map(placeLabel)).toEqual(["link to the file"]);
  });

  it("names each tier and shows the perceptual distance", () => {
    expect(matchBadge(plan.screenshots[0])).toEqual({ label: "Metadata", tone: "accent", detail: null });
    expect(matchBadge(plan.screenshots[1]).detail).toBe("12 of 256 bits differ");
    expect(matchBadge(plan.screenshots[2]).tone).toBe("danger");
    expect(matchBadge(plan.screenshots[3]).label).toBe("Already current");
  });

  it("says how much changed", () => {
    expect(changedLabel(0)).toBe("No pixel changed");
    expect(changedLabel(0.0004)).toBe("Less than 0.1 % of pixels changed");
    expect(changedLabel(0.0345)).toBe("3.5 % of pixels changed");
    expect(changedLabel(0.5)).toBe("50 % of pixels changed");
  });
});

describe("changedSincePlanNote", () => {
  const base: ArticleOutcome = {
    articleId: "a1", externalId: "1", locale: null, title: "Billing", status: "updated", replaced: 1,
    revisionId: "r1", error: null, replacements: {}, changedSincePlan: null, rematched: [],
  };
  it("says nothing of an article found as planned", () => {
    expect(changedSincePlanNote(base)).toBeNull();
  });
  it("names the colleague whose update came between the plan and the write", () => {
    const at = "2026-11-30T10:02:00.000Z";
    const o = { ...base, changedSincePlan: { by: "Ana", at }, rematched: ["https://cdn/x.png"] };
    expect(changedSincePlanNote(o)).toBe(`Changed since the import this plan comes from, by Ana, ${formatDate(at)} · 1 image matched again and replaced`);
    expect(changedSincePlanNote({ ...o, rematched: [] })).toBe(`Changed since the import this plan comes from, by Ana, ${formatDate(at)}`);
  });
  it("tells an edit in the help center from a colleague's", () => {
    const o = { ...base, changedSincePlan: { by: null, at: null }, rematched: ["a", "b"] };
    expect(changedSincePlanNote(o)).toBe("Changed in the help center since the import this plan comes from · 2 images matched again and replaced");
  });
});

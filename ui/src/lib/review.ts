// The review of a replacement plan: pure functions over the plan core made,
// unit-tested. Selecting changes edits a copy that is saved back to core.

import { byline } from "./format";
import type { ArticleOutcome, MatchType, Place, PlannedScreenshot, UpdatePlan } from "./types";

export interface PlanSummary {
  screenshots: number;
  matched: number;
  notfound: number;
  unchanged: number;
  ambiguous: number;
  /** Articles (documents) with at least one selected change: what "Update N articles" writes. */
  articlesToUpdate: number;
  changesSelected: number;
}

export function planSummary(plan: UpdatePlan): PlanSummary {
  const count = (s: string) => plan.screenshots.filter((p) => p.match.status === s).length;
  let changesSelected = 0;
  let articlesToUpdate = 0;
  for (const a of plan.articles) {
    const n = a.changes.filter((c) => c.selected).length;
    changesSelected += n;
    if (n > 0) articlesToUpdate++;
  }
  return {
    screenshots: plan.screenshots.length,
    matched: count("matched"),
    notfound: count("notfound"),
    unchanged: count("unchanged"),
    ambiguous: count("ambiguous"),
    articlesToUpdate,
    changesSelected,
  };
}

export function updateLabel(articles: number): string {
  if (articles === 0) return "Nothing selected to update";
  return articles === 1 ? "Update 1 article" : `Update ${articles.toLocaleString("en-US")} articles`;
}

/** One article a screenshot changes, and whether that change is selected. */
export interface ScreenshotUse {
  articleId: string;
  title: string;
  locale: string | null;
  oldUrl: string;
  selected: boolean;
  /** Where in the article it changes, and what beside it stays. */
  places: Place[];
}

/** The changes of the plan made by one screenshot, in article order. */
export function usesOf(plan: UpdatePlan, sha256: string): ScreenshotUse[] {
  return plan.articles.flatMap((a) =>
    a.changes
      .filter((c) => c.screenshotSha256 === sha256)
      .map((c) => ({
        articleId: a.articleId,
        title: a.title,
        locale: a.locale,
        oldUrl: c.oldUrl,
        selected: c.selected,
        places: (a.places ?? []).filter((p) => p.replaces === c.oldUrl),
      })),
  );
}

const ELEMENT_LABELS: Record<Place["element"], string> = {
  img: "image",
  source: "picture source",
  link: "link to the file",
};

/** A changed place in words: "image src", "picture source srcset 2x". */
export function placeLabel(p: Place): string {
  const what = p.element === "link" ? ELEMENT_LABELS.link : `${ELEMENT_LABELS[p.element]} ${p.attribute}`;
  return p.descriptor ? `${what} ${p.descriptor}` : what;
}

/** A copy of the plan with one change (article, old image) selected or not. */
export function withChange(plan: UpdatePlan, articleId: string, oldUrl: string, selected: boolean): UpdatePlan {
  return {
    ...plan,
    articles: plan.articles.map((a) =>
      a.articleId !== articleId
        ? a
        : { ...a, changes: a.changes.map((c) => (c.oldUrl === oldUrl ? { ...c, selected } : c)) },
    ),
  };
}

/** A copy of the plan with every change of one screenshot selected or not. */
export function withScreenshot(plan: UpdatePlan, sha256: string, selected: boolean): UpdatePlan {
  return {
    ...plan,
    articles: plan.articles.map((a) => ({
      ...a,
      changes: a.changes.map((c) => (c.screenshotSha256 === sha256 ? { ...c, selected } : c)),
    })),
  };
}

/** all | some | none of a screenshot's changes are selected (for its checkbox). */
export function selectionOf(plan: UpdatePlan, sha256: string): "all" | "some" | "none" {
  const uses = usesOf(plan, sha256);
  const on = uses.filter((u) => u.selected).length;
  if (uses.length === 0 || on === 0) return "none";
  return on === uses.length ? "all" : "some";
}

const LABELS: Record<MatchType, string> = {
  metadata: "Metadata",
  hash: "Same file",
  perceptual: "Looks alike",
  name: "File name",
  manual: "Chosen by hand",
  notfound: "No match",
};

/** The badge of a match: its tier in words, and the perceptual distance where there is one. */
export function matchBadge(p: PlannedScreenshot): { label: string; tone: string; detail: string | null } {
  const m = p.match;
  if (m.status === "unchanged") return { label: "Already current", tone: "success", detail: null };
  if (m.status === "ambiguous") return { label: "Ambiguous name", tone: "warning", detail: null };
  const tone = m.matchType === "notfound" ? "danger" : m.matchType === "name" ? "warning" : "accent";
  const distance = m.distance ?? m.targets[0]?.distance;
  const detail = m.matchType === "perceptual" && distance !== undefined ? `${distance} of 256 bits differ` : null;
  return { label: LABELS[m.matchType], tone, detail };
}

/** "12.4 % of pixels changed", with one decimal below 10 % and none above. */
export function changedLabel(share: number): string {
  const p = share * 100;
  if (p === 0) return "No pixel changed";
  if (p < 0.1) return "Less than 0.1 % of pixels changed";
  return `${p < 10 ? p.toFixed(1) : Math.round(p)} % of pixels changed`;
}

/**
 * What an update result says about an article that was not as the plan saw
 * it: who changed it since, and how many of its images were matched again;
 * `null` for an article found as planned.
 */
export function changedSincePlanNote(o: ArticleOutcome): string | null {
  const c = o.changedSincePlan;
  if (!c) return null;
  const who = c.by && c.at ? `Changed since the import this plan comes from, ${byline(c.by, c.at)}` : "Changed in the help center since the import this plan comes from";
  const n = o.rematched.length;
  if (n === 0) return who;
  return `${who} · ${n === 1 ? "1 image" : `${n} images`} matched again and replaced`;
}

// Filtering and sorting of the review views. Pure functions, unit-tested.

import type { ArticleRow, AuditRule, ImageRow } from "./types";

export type ImageSort = "usage" | "size" | "name";
export type SortDir = "asc" | "desc";

export interface ImageFilter {
  brokenOnly: boolean;
  duplicatesOnly: boolean;
  /** Only the images an audit rule found (null = no audit filter). */
  finding: AuditRule | null;
  /** "" = every type. */
  type: string;
  text: string;
  sort: ImageSort;
  dir: SortDir;
}

export const defaultImageFilter = (): ImageFilter => ({
  brokenOnly: false,
  duplicatesOnly: false,
  finding: null,
  type: "",
  text: "",
  sort: "usage",
  dir: "desc",
});

/**
 * Whether an image is broken, as core decides it (`is_broken_status`: its
 * download did not answer 2xx; an image not downloaded yet is not broken).
 */
export const isBroken = (img: { isBroken: boolean }): boolean => img.isBroken;

function matchesText(img: ImageRow, needle: string): boolean {
  if (!needle) return true;
  return (
    img.name.toLowerCase().includes(needle) ||
    img.url.toLowerCase().includes(needle) ||
    img.alt.toLowerCase().includes(needle) ||
    img.hash.startsWith(needle) ||
    Object.entries(img.metadata).some(([k, v]) => k.toLowerCase().includes(needle) || v.toLowerCase().includes(needle))
  );
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compare(a: ImageRow, b: ImageRow, sort: ImageSort): number {
  switch (sort) {
    case "size":
      return a.size - b.size;
    case "usage":
      return a.articlesCount - b.articlesCount;
    case "name":
      return collator.compare(a.name, b.name);
  }
}

/**
 * Applies every filter, then sorts (stable; ties broken by name then URL so
 * the order never jumps). `findings` holds the URLs each audit rule found.
 */
export function filterImages(
  rows: readonly ImageRow[],
  f: ImageFilter,
  findings?: ReadonlyMap<AuditRule, ReadonlySet<string>>,
): ImageRow[] {
  const needle = f.text.trim().toLowerCase();
  const type = f.type.toLowerCase();
  const found = f.finding ? (findings?.get(f.finding) ?? new Set<string>()) : null;
  const out = rows.filter(
    (img) =>
      (!found || found.has(img.url)) &&
      (!f.brokenOnly || isBroken(img)) &&
      (!f.duplicatesOnly || img.isDuplicate) &&
      (!type || img.type.toLowerCase() === type) &&
      matchesText(img, needle),
  );
  const sign = f.dir === "asc" ? 1 : -1;
  out.sort((a, b) => {
    const c = compare(a, b, f.sort) * sign;
    if (c !== 0) return c;
    return collator.compare(a.name, b.name) || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);
  });
  return out;
}

/** The image types present, most common first, for the type filter. */
export function imageTypes(rows: readonly ImageRow[]): { type: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const t = r.type || "unknown";
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}

export interface ImageStats {
  total: number;
  broken: number;
  duplicates: number;
  unused: number;
}

export function imageStats(rows: readonly ImageRow[]): ImageStats {
  let broken = 0;
  let duplicates = 0;
  let unused = 0;
  for (const r of rows) {
    if (isBroken(r)) broken++;
    if (r.isDuplicate) duplicates++;
    if (r.articlesCount === 0) unused++;
  }
  return { total: rows.length, broken, duplicates, unused };
}

export interface ArticleFilter {
  text: string;
  brokenOnly: boolean;
  withImagesOnly: boolean;
}

export const defaultArticleFilter = (): ArticleFilter => ({ text: "", brokenOnly: false, withImagesOnly: false });

export function filterArticles(rows: readonly ArticleRow[], f: ArticleFilter): ArticleRow[] {
  const needle = f.text.trim().toLowerCase();
  return rows.filter(
    (a) =>
      (!f.brokenOnly || a.brokenCount > 0) &&
      (!f.withImagesOnly || a.imageCount > 0) &&
      (!needle ||
        a.title.toLowerCase().includes(needle) ||
        a.url.toLowerCase().includes(needle) ||
        a.externalArticleId.toLowerCase() === needle),
  );
}

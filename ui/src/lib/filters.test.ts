import { describe, expect, it } from "vitest";
import {
  defaultArticleFilter,
  defaultImageFilter,
  filterArticles,
  filterImages,
  imageStats,
  imageTypes,
  isBroken,
} from "./filters";
import type { ArticleRow, ImageRow } from "./types";

const EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function img(p: Partial<ImageRow> & { name: string }): ImageRow {
  return {
    url: `https://cdn.example.com/${p.name}`,
    alt: "",
    type: "png",
    width: 100,
    height: 80,
    size: 1000,
    statusCode: 200,
    hash: "ab".repeat(32),
    metadata: {},
    articlesCount: 1,
    isDuplicate: false,
    isBroken: false,
    problem: null,
    thumbnail: null,
    lastModified: null,
    ...p,
  };
}

const rows: ImageRow[] = [
  img({ name: "billing.png", size: 52913, articlesCount: 3 }),
  img({ name: "missing.png", statusCode: 404, isBroken: true, size: 0, width: 0, height: 0, hash: EMPTY_SHA, type: "" }),
  img({ name: "photo.jpg", type: "jpeg", size: 9000, articlesCount: 2, alt: "Team photo" }),
  img({ name: "copy-of-billing.png", size: 52913, isDuplicate: true, articlesCount: 1 }),
  img({ name: "image10.png", size: 10, articlesCount: 2, metadata: { screen: "Settings" } }),
  img({ name: "image2.png", size: 20, articlesCount: 2 }),
];

const names = (r: ImageRow[]) => r.map((x) => x.name);

describe("filterImages", () => {
  it("keeps everything by default, most used first, ties by name", () => {
    expect(names(filterImages(rows, defaultImageFilter()))).toEqual([
      "billing.png",
      "image2.png",
      "image10.png",
      "photo.jpg",
      "copy-of-billing.png",
      "missing.png",
    ]);
  });

  it("broken only keeps what core calls broken, and nothing else", () => {
    expect(names(filterImages(rows, { ...defaultImageFilter(), brokenOnly: true }))).toEqual(["missing.png"]);
    // Not downloaded yet (no status): core says not broken, and so does the UI.
    const pending = { ...rows[0], url: "https://x/pending.png", name: "pending.png", statusCode: 0, isBroken: false };
    expect(names(filterImages([pending], { ...defaultImageFilter(), brokenOnly: true }))).toEqual([]);
    expect(isBroken(pending)).toBe(false);
  });

  it("duplicates only", () => {
    expect(names(filterImages(rows, { ...defaultImageFilter(), duplicatesOnly: true }))).toEqual([
      "copy-of-billing.png",
    ]);
  });

  it("by type, case-insensitive", () => {
    expect(names(filterImages(rows, { ...defaultImageFilter(), type: "JPEG" }))).toEqual(["photo.jpg"]);
  });

  it("by text in name, alt, url and metadata", () => {
    const f = defaultImageFilter();
    expect(names(filterImages(rows, { ...f, text: "  BILLING " }))).toEqual(["billing.png", "copy-of-billing.png"]);
    expect(names(filterImages(rows, { ...f, text: "team" }))).toEqual(["photo.jpg"]);
    expect(names(filterImages(rows, { ...f, text: "settings" }))).toEqual(["image10.png"]);
  });

  it("combines filters", () => {
    expect(filterImages(rows, { ...defaultImageFilter(), brokenOnly: true, duplicatesOnly: true })).toEqual([]);
  });

  it("sorts by size and by name, both directions, with natural numbers", () => {
    const f = defaultImageFilter();
    expect(names(filterImages(rows, { ...f, sort: "size", dir: "asc" })).slice(0, 3)).toEqual([
      "missing.png",
      "image10.png",
      "image2.png",
    ]);
    expect(names(filterImages(rows, { ...f, sort: "size", dir: "desc" })).slice(0, 2)).toEqual([
      "billing.png",
      "copy-of-billing.png",
    ]);
    expect(names(filterImages(rows, { ...f, sort: "name", dir: "asc" }))).toEqual([
      "billing.png",
      "copy-of-billing.png",
      "image2.png",
      "image10.png",
      "missing.png",
      "photo.jpg",
    ]);
  });

  it("does not mutate its input", () => {
    const copy = [...rows];
    filterImages(rows, { ...defaultImageFilter(), sort: "name", dir: "desc" });
    expect(rows).toEqual(copy);
  });

  it("handles 20,000 rows quickly", () => {
    const big = Array.from({ length: 20_000 }, (_, i) => img({ name: `shot-${i}.png`, size: i, articlesCount: i % 7 }));
    const t0 = performance.now();
    const out = filterImages(big, { ...defaultImageFilter(), text: "shot-1" });
    expect(out.length).toBe(11_111);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe("imageTypes and imageStats", () => {
  it("lists types by frequency", () => {
    expect(imageTypes(rows)).toEqual([
      { type: "png", count: 4 },
      { type: "jpeg", count: 1 },
      { type: "unknown", count: 1 },
    ]);
  });
  it("counts broken, duplicates, unused", () => {
    expect(imageStats([...rows, img({ name: "orphan.png", articlesCount: 0 })])).toEqual({
      total: 7,
      broken: 1,
      duplicates: 1,
      unused: 1,
    });
  });
});

describe("filterArticles", () => {
  const a = (p: Partial<ArticleRow> & { title: string }): ArticleRow => ({
    id: p.title,
    externalArticleId: "1",
    locale: null,
    url: "https://help.example.com/a",
    isPublished: true,
    status: "completed",
    error: null,
    imageCount: 1,
    brokenCount: 0,
    images: [],
    ...p,
  });
  const list = [
    a({ title: "Getting started", externalArticleId: "100" }),
    a({ title: "Billing", brokenCount: 1, externalArticleId: "101" }),
    a({ title: "Glossary", imageCount: 0, externalArticleId: "102" }),
  ];
  it("filters by text, id, broken and images", () => {
    const f = defaultArticleFilter();
    expect(filterArticles(list, { ...f, text: "bill" }).map((x) => x.title)).toEqual(["Billing"]);
    expect(filterArticles(list, { ...f, text: "102" }).map((x) => x.title)).toEqual(["Glossary"]);
    expect(filterArticles(list, { ...f, brokenOnly: true }).map((x) => x.title)).toEqual(["Billing"]);
    expect(filterArticles(list, { ...f, withImagesOnly: true }).length).toBe(2);
  });
});

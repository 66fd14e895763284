import { describe, expect, it } from "vitest";
import { gridLayout, scrollToReveal, visibleWindow } from "./virtual";

describe("gridLayout", () => {
  it("fits as many columns as the width allows and stretches tiles", () => {
    const l = gridLayout(100, 1000, 180, 16, 60);
    expect(l.columns).toBe(5); // 5*180 + 4*16 = 964 <= 1000; 6 would need 1160
    expect(l.tileWidth).toBe(Math.floor((1000 - 64) / 5));
    expect(l.rowHeight).toBe(l.tileWidth + 60 + 16);
    expect(l.rows).toBe(20);
    expect(l.totalHeight).toBe(20 * l.rowHeight - 16);
  });
  it("never has fewer than one column", () => {
    const l = gridLayout(3, 50, 180, 16, 60);
    expect(l.columns).toBe(1);
    expect(l.tileWidth).toBe(180);
    expect(l.rows).toBe(3);
  });
  it("keeps the picture's aspect and caps the tile width", () => {
    const l = gridLayout(10, 400, 176, 14, 54, 0.75, 260);
    expect(l.columns).toBe(2);
    expect(l.tileWidth).toBe(193); // (400 - 14) / 2
    expect(l.rowHeight).toBe(Math.round(193 * 0.75) + 54 + 14);
    const wide = gridLayout(10, 360, 176, 14, 54, 0.75, 260);
    expect(wide.columns).toBe(1);
    expect(wide.tileWidth).toBe(260);
  });
  it("is empty for no items", () => {
    expect(gridLayout(0, 800, 180, 16, 60).totalHeight).toBe(0);
  });
});

describe("visibleWindow", () => {
  const l = gridLayout(20_000, 1000, 180, 16, 60); // 5 columns, 4000 rows
  it("renders only the rows on screen plus overscan at the top", () => {
    const w = visibleWindow(l, 20_000, 0, 800, 2);
    expect(w.firstRow).toBe(0);
    expect(w.start).toBe(0);
    expect(w.lastRow).toBe(Math.ceil(800 / l.rowHeight) + 2);
    expect(w.end).toBe(w.lastRow * 5);
    expect(w.offsetY).toBe(0);
  });
  it("follows the scroll position in the middle", () => {
    const top = 1000 * l.rowHeight + 10;
    const w = visibleWindow(l, 20_000, top, 800, 2);
    expect(w.firstRow).toBe(998);
    expect(w.start).toBe(998 * 5);
    expect(w.offsetY).toBe(998 * l.rowHeight);
    expect(w.end - w.start).toBeLessThanOrEqual((Math.ceil(800 / l.rowHeight) + 5) * 5);
  });
  it("clamps at the end and on a partial last row", () => {
    const l2 = gridLayout(12, 1000, 180, 16, 60); // 5 columns, 3 rows, last has 2
    const w = visibleWindow(l2, 12, 1e9, 800, 2);
    expect(w.lastRow).toBe(3);
    expect(w.end).toBe(12);
    expect(w.start).toBeLessThan(12);
  });
  it("is empty for no items and ignores negative scroll (rubber banding)", () => {
    expect(visibleWindow(gridLayout(0, 1000, 180, 16, 60), 0, 0, 800)).toEqual({
      firstRow: 0,
      lastRow: 0,
      start: 0,
      end: 0,
      offsetY: 0,
    });
    expect(visibleWindow(l, 20_000, -50, 800).firstRow).toBe(0);
  });
  it("keeps the rendered count constant however large the list", () => {
    const small = visibleWindow(gridLayout(500, 1000, 180, 16, 60), 500, 5000, 800);
    const big = visibleWindow(l, 20_000, 5000, 800);
    expect(big.end - big.start).toBe(small.end - small.start);
  });
});

describe("scrollToReveal", () => {
  const l = gridLayout(100, 1000, 180, 16, 60);
  it("scrolls up or down only when needed", () => {
    expect(scrollToReveal(l, 0, 0, 800)).toBeNull();
    expect(scrollToReveal(l, 50, 0, 800)).toBe(11 * l.rowHeight - 800);
    expect(scrollToReveal(l, 0, 500, 800)).toBe(0);
  });
});

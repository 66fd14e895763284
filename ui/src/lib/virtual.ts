// Window math for the virtualised grid: which rows are on screen, given the
// scroll position. Only those rows (plus a little overscan) are rendered, so
// 20,000 images cost as much as the thirty or so that are visible.

export interface GridLayout {
  /** Tiles per row (at least 1). */
  columns: number;
  /** Width of one tile, px. */
  tileWidth: number;
  /** Height of one row including the gap below it, px. */
  rowHeight: number;
  rows: number;
  /** Total scrollable height, px. */
  totalHeight: number;
}

/**
 * Fits as many tiles of at least `minTile` px as the width allows, stretching
 * them to fill it but never past `maxTile`. A tile's picture is
 * `aspect` × its width; `tileExtra` is the caption below it.
 */
export function gridLayout(
  count: number,
  width: number,
  minTile: number,
  gap: number,
  tileExtra: number,
  aspect = 1,
  maxTile = Infinity,
): GridLayout {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minTile + gap)));
  const stretched = Math.floor((usable - gap * (columns - 1)) / columns);
  const tileWidth = Math.max(minTile, Math.min(maxTile, stretched));
  const rowHeight = Math.round(tileWidth * aspect) + tileExtra + gap;
  const rows = Math.ceil(count / columns);
  const totalHeight = rows > 0 ? rows * rowHeight - gap : 0;
  return { columns, tileWidth, rowHeight, rows, totalHeight };
}

export interface VisibleWindow {
  /** First row to render (inclusive). */
  firstRow: number;
  /** Last row to render (exclusive). */
  lastRow: number;
  /** Index of the first item rendered. */
  start: number;
  /** Index one past the last item rendered. */
  end: number;
  /** Offset of the first rendered row from the top, px. */
  offsetY: number;
}

export function visibleWindow(
  layout: GridLayout,
  count: number,
  scrollTop: number,
  viewportHeight: number,
  overscanRows = 2,
): VisibleWindow {
  if (count === 0 || layout.rowHeight <= 0) {
    return { firstRow: 0, lastRow: 0, start: 0, end: 0, offsetY: 0 };
  }
  const top = Math.max(0, scrollTop);
  const firstVisible = Math.floor(top / layout.rowHeight);
  const lastVisible = Math.ceil((top + Math.max(0, viewportHeight)) / layout.rowHeight);
  const firstRow = Math.max(0, Math.min(layout.rows - 1, firstVisible - overscanRows));
  const lastRow = Math.max(firstRow + 1, Math.min(layout.rows, lastVisible + overscanRows));
  const start = firstRow * layout.columns;
  const end = Math.min(count, lastRow * layout.columns);
  return { firstRow, lastRow, start, end, offsetY: firstRow * layout.rowHeight };
}

/** The scrollTop that brings item `index` fully into view, or null if it already is. */
export function scrollToReveal(
  layout: GridLayout,
  index: number,
  scrollTop: number,
  viewportHeight: number,
): number | null {
  const row = Math.floor(index / layout.columns);
  const top = row * layout.rowHeight;
  const bottom = top + layout.rowHeight - 0;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}

// The compare modes of the "What changed" dialog, their shortcuts, and the
// geometry of the swipe divider. What changed (share, regions, the
// highlighted pixels) is core's; this only decides how it is shown.

export type CompareMode = "side" | "swipe" | "onion" | "difference";
export type Zoom = "fit" | "actual";

export interface ModeInfo {
  mode: CompareMode;
  label: string;
  /** The key that switches to it. */
  key: string;
  help: string;
}

export const MODES: readonly ModeInfo[] = [
  { mode: "side", label: "Side by side", key: "1", help: "Before and after next to each other, changes outlined on the new one." },
  { mode: "swipe", label: "Swipe", key: "2", help: "Drag the divider: before on the left of it, after on the right." },
  { mode: "onion", label: "Onion skin", key: "3", help: "The new one over the old one; the slider sets how much of it shows." },
  { mode: "difference", label: "Difference", key: "4", help: "Every changed pixel in magenta over a faded copy of the new one." },
];

/** The zoom shortcut: between fit and 100 %. */
export const ZOOM_KEY = "z";

export type CompareAction = { mode: CompareMode } | { zoom: "toggle" } | { nudge: number } | null;

/**
 * What a key pressed in the dialog does. Keys typed into a field (the
 * sliders handle their own arrows) and with Ctrl/Cmd/Alt do nothing here.
 */
export function keyAction(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean; inField?: boolean }): CompareAction {
  if (e.ctrlKey || e.metaKey || e.altKey || e.inField) return null;
  const m = MODES.find((x) => x.key === e.key);
  if (m) return { mode: m.mode };
  if (e.key.toLowerCase() === ZOOM_KEY) return { zoom: "toggle" };
  if (e.key === "ArrowLeft") return { nudge: -5 };
  if (e.key === "ArrowRight") return { nudge: 5 };
  return null;
}

/** A percentage kept within 0-100. */
export function clampPercent(n: number): number {
  if (!Number.isFinite(n)) return 50;
  return Math.min(100, Math.max(0, n));
}

/** The divider's position (percent of the width) for a point at canvas x. */
export function swipeAt(canvasX: number, canvasWidth: number): number {
  if (canvasWidth <= 0) return 50;
  return clampPercent((canvasX / canvasWidth) * 100);
}

/** "100 %" and what it means for this comparison. */
export function zoomLabel(zoom: Zoom, width: number, height: number): string {
  return zoom === "actual" ? `100 % (${width}×${height})` : "Fit";
}

// Files dragged onto the window: Tauri's drag-and-drop event gives the
// paths and the pointer position; the element under the pointer decides
// whether the drop goes to one image (`data-drop-url`) or to the whole import.

import { getCurrentWebview } from "@tauri-apps/api/webview";

export interface DropHandlers {
  over: (target: string | null) => void;
  leave: () => void;
  drop: (paths: string[], target: string | null) => void;
}

/** The `data-drop-url` of the element under a physical-pixel position, if any. */
export function targetAt(x: number, y: number, scale = window.devicePixelRatio || 1): string | null {
  const el = document.elementFromPoint(x / scale, y / scale);
  return el?.closest<HTMLElement>("[data-drop-url]")?.dataset.dropUrl ?? null;
}

/** Follows drags over the window until the returned function is called. */
export function listenForDrops(h: DropHandlers): Promise<() => void> {
  return getCurrentWebview().onDragDropEvent((event) => {
    const p = event.payload;
    if (p.type === "enter" || p.type === "over") h.over(targetAt(p.position.x, p.position.y));
    else if (p.type === "drop") h.drop(p.paths, targetAt(p.position.x, p.position.y));
    else h.leave();
  });
}

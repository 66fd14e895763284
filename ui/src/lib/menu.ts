// Native menu and keyboard shortcuts. The Rust side emits "menu" with an
// action id when a menu item (or its accelerator) is used; the same actions are
// bound to keys here for when the webview has the key event first.

import { listen } from "@tauri-apps/api/event";

export type MenuAction = "add-integration" | "import" | "view-images" | "view-articles" | "reload" | "find";

export const MENU_ACTIONS: readonly MenuAction[] = [
  "add-integration",
  "import",
  "view-images",
  "view-articles",
  "reload",
  "find",
];

export function onMenu(handler: (a: MenuAction) => void): Promise<() => void> {
  return listen<string>("menu", (e) => {
    if ((MENU_ACTIONS as readonly string[]).includes(e.payload)) handler(e.payload as MenuAction);
  });
}

/** The action a key press stands for: Ctrl (Cmd on macOS) + N, I, 1, 2, R, F. */
export function shortcutAction(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">, mac: boolean): MenuAction | null {
  const mod = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  if (!mod || e.altKey || e.shiftKey) return null;
  switch (e.key.toLowerCase()) {
    case "n":
      return "add-integration";
    case "i":
      return "import";
    case "1":
      return "view-images";
    case "2":
      return "view-articles";
    case "r":
      return "reload";
    case "f":
      return "find";
    default:
      return null;
  }
}

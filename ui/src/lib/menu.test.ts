import { describe, expect, it, vi } from "vitest";

vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));
const { shortcutAction } = await import("./menu");

const key = (k: string, m: Partial<KeyboardEvent> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...m,
});

describe("shortcutAction", () => {
  it("maps Ctrl shortcuts on Linux and Windows", () => {
    expect(shortcutAction(key("n", { ctrlKey: true }), false)).toBe("add-integration");
    expect(shortcutAction(key("I", { ctrlKey: true }), false)).toBe("import");
    expect(shortcutAction(key("1", { ctrlKey: true }), false)).toBe("view-images");
    expect(shortcutAction(key("2", { ctrlKey: true }), false)).toBe("view-articles");
    expect(shortcutAction(key("f", { ctrlKey: true }), false)).toBe("find");
    expect(shortcutAction(key("r", { ctrlKey: true }), false)).toBe("reload");
  });
  it("uses Cmd on macOS and ignores Ctrl there", () => {
    expect(shortcutAction(key("n", { metaKey: true }), true)).toBe("add-integration");
    expect(shortcutAction(key("n", { ctrlKey: true }), true)).toBeNull();
  });
  it("ignores plain keys and other modifiers", () => {
    expect(shortcutAction(key("n"), false)).toBeNull();
    expect(shortcutAction(key("n", { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(shortcutAction(key("x", { ctrlKey: true }), false)).toBeNull();
  });
});

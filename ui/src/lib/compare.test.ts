import { describe, expect, it } from "vitest";
import { clampPercent, keyAction, MODES, swipeAt, zoomLabel } from "./compare";

describe("compare modes", () => {
  it("has the four modes, each on its own number key", () => {
    expect(MODES.map((m) => m.mode)).toEqual(["side", "swipe", "onion", "difference"]);
    expect(new Set(MODES.map((m) => m.key)).size).toBe(4);
  });

  it("maps keys to modes, zoom and nudges", () => {
    expect(keyAction({ key: "1" })).toEqual({ mode: "side" });
    expect(keyAction({ key: "2" })).toEqual({ mode: "swipe" });
    expect(keyAction({ key: "3" })).toEqual({ mode: "onion" });
    expect(keyAction({ key: "4" })).toEqual({ mode: "difference" });
    expect(keyAction({ key: "z" })).toEqual({ zoom: "toggle" });
    expect(keyAction({ key: "Z" })).toEqual({ zoom: "toggle" });
    expect(keyAction({ key: "ArrowLeft" })).toEqual({ nudge: -5 });
    expect(keyAction({ key: "ArrowRight" })).toEqual({ nudge: 5 });
    expect(keyAction({ key: "5" })).toBeNull();
  });

  it("leaves keys alone with modifiers or inside a field", () => {
    expect(keyAction({ key: "1", ctrlKey: true })).toBeNull();
    expect(keyAction({ key: "2", metaKey: true })).toBeNull();
    expect(keyAction({ key: "z", altKey: true })).toBeNull();
    expect(keyAction({ key: "ArrowLeft", inField: true })).toBeNull();
  });

  it("places the swipe divider where the pointer is, within the picture", () => {
    expect(swipeAt(250, 1000)).toBe(25);
    expect(swipeAt(-40, 1000)).toBe(0);
    expect(swipeAt(1200, 1000)).toBe(100);
    expect(swipeAt(10, 0)).toBe(50);
    expect(clampPercent(Number.NaN)).toBe(50);
  });

  it("says what 100 % is", () => {
    expect(zoomLabel("actual", 1024, 640)).toBe("100 % (1024×640)");
    expect(zoomLabel("fit", 1024, 640)).toBe("Fit");
  });
});

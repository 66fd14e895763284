import { describe, expect, it } from "vitest";
import { captureHint, runSummary, scenarioLine } from "./capture";
import type { ScenarioSummary } from "./types";

const scenario = (last: ScenarioSummary["last"] = null): ScenarioSummary => ({
  id: "billing-settings",
  url: "http://127.0.0.1:9/app/billing",
  target: "element #plan-card",
  screen: "1280×800",
  last,
});

describe("scenarioLine", () => {
  it("says a scenario was never captured", () => {
    expect(scenarioLine(scenario(), undefined, false)).toEqual({ state: "idle", text: "Not captured yet" });
  });

  it("shows the last capture's size when there is no run", () => {
    const line = scenarioLine(scenario({ file: "/d/a.png", width: 640, height: 400, capturedAt: "2026-11-30T10:02:00Z" }), undefined, false);
    expect(line.state).toBe("idle");
    expect(line.text).toMatch(/^Last captured .* · 640×400$/);
  });

  it("follows the run: waiting, capturing, captured, failed with core's reason", () => {
    expect(scenarioLine(scenario(), undefined, true).state).toBe("waiting");
    expect(scenarioLine(scenario(), { state: "capturing", id: "billing-settings" }, true).text).toBe("Capturing…");
    const done = scenarioLine(
      scenario(),
      { state: "captured", id: "billing-settings", seconds: 1.25, capture: { file: "/d/a.png", width: 320, height: 180, capturedAt: "2026-11-30T10:02:00Z" } },
      true,
    );
    expect(done).toEqual({ state: "captured", text: "Captured 320×180 in 1.3 s" });
    const why = "scenario 'billing-settings' failed after 15.0 s: selector #plan-card never appeared";
    expect(scenarioLine(scenario(), { state: "failed", id: "billing-settings", error: why, seconds: 15 }, true)).toEqual({
      state: "failed",
      text: "Scenario 'billing-settings' failed after 15.0 s: selector #plan-card never appeared",
    });
  });
});

describe("runSummary and captureHint", () => {
  it("counts what was captured and what failed", () => {
    const cap = { file: "f", width: 1, height: 1, capturedAt: "2026-11-30T10:02:00Z" };
    expect(
      runSummary({
        outcomes: [
          { state: "captured", id: "a", capture: cap, seconds: 1 },
          { state: "failed", id: "b", error: "x", seconds: 1 },
        ],
        files: ["f"],
        failed: 1,
      }),
    ).toBe("1 captured · 1 failed");
    expect(runSummary({ outcomes: [], files: [], failed: 0 })).toBe("0 captured");
  });

  it("says where captures go", () => {
    expect(captureHint(1, "Demo help center")).toBe("1 scenario; captures are matched against Demo help center and open in Replace for review");
    expect(captureHint(3, null)).toMatch(/^3 scenarios; import a help center/);
  });
});

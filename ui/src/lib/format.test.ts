import { describe, expect, it } from "vitest";
import { asSentence, byline, formatBytes, formatCount, formatDate, percent, plural, secretHint, sentences, shortHash, typeLabel } from "./format";

describe("format", () => {
  it("starts core's messages as sentences when they stand alone", () => {
    expect(asSentence("no Chromium to capture screenshots with: x")).toBe("No Chromium to capture screenshots with: x");
    expect(asSentence("Already one.")).toBe("Already one.");
    expect(asSentence("")).toBe("");
  });
  it("formats bytes like a file manager", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(52913)).toBe("52 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });
  it("counts and plurals", () => {
    expect(formatCount(20000)).toBe("20,000");
    expect(plural(1, "article")).toBe("1 article");
    expect(plural(3, "article")).toBe("3 articles");
  });
  it("percent is clamped and safe for zero totals", () => {
    expect(percent(5, 0)).toBe(0);
    expect(percent(1, 3)).toBe(33);
    expect(percent(9, 3)).toBe(100);
  });
  it("labels types and hashes", () => {
    expect(typeLabel("png")).toBe("PNG");
    expect(typeLabel("")).toBe("—");
    expect(shortHash("e3b0c44298fc1c149afbf4c8996fb924")).toBe("e3b0c44298fc…");
  });
});

describe("help text", () => {
  it("ends each piece as a sentence", () => {
    expect(sentences("Settings > API Credentials in Helpjuice; \"Require token for API?\" must be enabled there", "Saved to the OS keychain")).toBe(
      "Settings > API Credentials in Helpjuice; \"Require token for API?\" must be enabled there. Saved to the OS keychain.",
    );
    expect(sentences("Already a sentence.", "", null, "Next")).toBe("Already a sentence. Next.");
    expect(sentences()).toBe("");
  });

  it("says where a typed secret goes, and that a variable is stored nowhere", () => {
    const helpjuice = "Settings > API Credentials in Helpjuice; \"Require token for API?\" must be enabled there";
    expect(secretHint("value", helpjuice)).toMatch(/must be enabled there\. Saved to the OS keychain, never shown again\.$/);
    expect(secretHint("value", "")).toBe("Saved to the OS keychain, never shown again.");
    const env = secretHint("env", helpjuice);
    expect(env).not.toMatch(/keychain/);
    expect(env).toBe("Nothing is stored; the variable is read each time Shotkeeper connects.");
  });
});

describe("byline", () => {
  const at = "2026-11-30T10:02:00.000Z";
  it("names who did it, then when", () => {
    expect(byline("Ana", at)).toBe(`by Ana, ${formatDate(at)}`);
  });
  it("is only the date when no name was kept (rows from before names)", () => {
    expect(byline(null, at)).toBe(formatDate(at));
    expect(byline("", at)).toBe(formatDate(at));
  });
});

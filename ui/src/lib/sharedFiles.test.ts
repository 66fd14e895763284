import { describe, expect, it } from "vitest";
import { sharedFilesLine, storageChoices } from "./sharedFiles";
import type { IntegrationView } from "./types";

describe("sharedFilesLine", () => {
  it("says files stay here off a team database", () => {
    expect(sharedFilesLine({ teamDatabase: false, storageIntegrationId: null, storageLabel: null })).toMatch(/^Files stay on this computer/);
  });
  it("says a team shares nothing until a storage is chosen", () => {
    expect(sharedFilesLine({ teamDatabase: true, storageIntegrationId: null, storageLabel: null })).toMatch(/^Not shared/);
  });
  it("names the storage that keeps them", () => {
    const s = { teamDatabase: true, storageIntegrationId: "s3", storageLabel: "Docs R2" };
    expect(sharedFilesLine(s)).toBe("Shared in Docs R2: every member's Shotkeeper shows the team's thumbnails and screenshots.");
    expect(sharedFilesLine({ ...s, storageLabel: null })).toMatch(/no longer exists/);
  });
});

describe("storageChoices", () => {
  it("offers only S3/R2 integrations", () => {
    const i = (id: string, platform: "cloud" | "helpcenter") => ({ id, platform }) as IntegrationView;
    expect(storageChoices([i("a", "helpcenter"), i("b", "cloud")]).map((x) => x.id)).toEqual(["b"]);
  });
});

import { describe, expect, it } from "vitest";
import { checkLine, keyHistory, keyLine, nameToSave, overrideNote, rotationLine, sentence, whereLine } from "./team";
import type { TeamDatabaseCheck, TeamKeyStatus, TeamStatus } from "./types";

const solo: TeamStatus = {
  dataDir: "/home/ana/.local/share/app.shotkeeper.desktop",
  localDatabase: "/home/ana/.local/share/app.shotkeeper.desktop/shotkeeper.sqlite",
  teamDatabase: null,
  name: null,
  actingAs: "ana",
  nameFromEnv: false,
  databaseFromEnv: null,
};

describe("whereLine", () => {
  it("says on its own, with the data directory, when not in a team", () => {
    expect(whereLine(solo)).toBe("This computer: on its own (SQLite in /home/ana/.local/share/app.shotkeeper.desktop)");
  });
  it("names the team database as core described it, and the person", () => {
    const team = { ...solo, teamDatabase: "postgres://ana:***@db.example.com/docs", name: "Ana", actingAs: "Ana" };
    expect(whereLine(team)).toBe("Team database: postgres://ana:***@db.example.com/docs, as Ana");
  });
});

describe("checkLine", () => {
  const check = (schema: TeamDatabaseCheck["schema"], schemaVersion: number): TeamDatabaseCheck => ({
    database: "postgres://ana:***@db/docs",
    serverVersion: "15.8 (Debian 15.8-0+deb12u1)",
    schema,
    schemaVersion,
    knownVersion: 9,
  });
  it("gives the server's version number and what joining does to the schema", () => {
    expect(checkLine(check("empty", 0))).toBe("Connected to PostgreSQL 15.8. The database is empty: joining creates Shotkeeper's tables.");
    expect(checkLine(check("up_to_date", 9))).toContain("up to date (schema 9)");
    expect(checkLine(check("older", 7))).toContain("older Shotkeeper (schema 7 of 9): joining brings it up to date");
  });
});

describe("overrideNote", () => {
  it("is null when nothing in the environment wins", () => {
    expect(overrideNote(solo)).toBeNull();
  });
  it("names each environment variable that wins over this card", () => {
    const note = overrideNote({ ...solo, nameFromEnv: true, actingAs: "E2E Tester", databaseFromEnv: "postgres://ci@db/x" });
    expect(note).toContain("SHOTKEEPER_DATABASE_URL is set, so this app opens postgres://ci@db/x");
    expect(note).toContain("SHOTKEEPER_AS is set, so your work is recorded as E2E Tester");
  });
});

describe("nameToSave", () => {
  it("trims, and an empty name means the OS user's again", () => {
    expect(nameToSave("  Ana Lima ", null)).toBe("Ana Lima");
    expect(nameToSave("   ", "Ana")).toBeNull();
  });
  it("is undefined when nothing would change", () => {
    expect(nameToSave("Ana ", "Ana")).toBeUndefined();
    expect(nameToSave("", null)).toBeUndefined();
  });
});

describe("team key lines", () => {
  const missing: TeamKeyStatus = {
    teamMode: true,
    recorded: true,
    held: false,
    source: null,
    keyId: "3f9a0c1d52e4b7a6",
    createdAt: "2026-11-30T09:05:12.345Z",
    createdBy: "Ben",
    rotatedAt: null,
    rotatedBy: null,
    problem: "ask a teammate who has the team key to share it",
  };
  it("says whether this computer holds the key, by its short id and where it is kept", () => {
    expect(keyLine(missing)).toBe("This computer does not hold the team key 3f9a0c1d.");
    expect(keyLine({ ...missing, held: true, source: "keychain" })).toBe(
      "This computer holds the team key 3f9a0c1d, in this computer's keychain.",
    );
    expect(keyLine({ ...missing, held: true, source: "given" })).toBe(
      "This computer holds the team key 3f9a0c1d, from the key file given to Shotkeeper.",
    );
    expect(keyLine({ ...missing, recorded: false, keyId: null })).toBe("The team has no key yet.");
  });
  it("says who made and who last rotated the key, to the minute", () => {
    expect(keyHistory(missing)).toBe("Made by Ben on 2026-11-30 09:05 UTC.");
    expect(keyHistory({ ...missing, rotatedAt: "2026-12-01T10:02:59.001Z", rotatedBy: "Ana" })).toBe(
      "Made by Ben on 2026-11-30 09:05 UTC; last rotated by Ana on 2026-12-01 10:02 UTC.",
    );
    expect(keyHistory({ ...missing, createdAt: null, createdBy: null })).toBeNull();
  });
  it("tells after a rotation that colleagues need the new key", () => {
    const line = rotationLine({ oldKeyId: "3f9a0c1d52e4b7a6", newKeyId: "b71e4c09aa3d2f58", secrets: 1 });
    expect(line).toBe(
      "Team key rotated (3f9a0c1d → b71e4c09): 1 secret sealed again. Colleagues need the new key now: save it to a file and give it to them.",
    );
  });
  it("turns core's clause into a sentence", () => {
    expect(sentence("ask a teammate")).toBe("Ask a teammate.");
    expect(sentence("Done.")).toBe("Done.");
  });
});

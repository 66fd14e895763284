import { describe, expect, it } from "vitest";
import { checkLine, nameToSave, overrideNote, whereLine } from "./team";
import type { TeamDatabaseCheck, TeamStatus } from "./types";

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

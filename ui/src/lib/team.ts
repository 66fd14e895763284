// Settings › Team: how the card words core's answers. Which database a data
// directory uses, the address itself (kept in the OS keychain) and the
// name's rules live in Rust (core's `team`); these only say it.

import type { Rotation, TeamDatabaseCheck, TeamKeyStatus, TeamStatus } from "./types";

/** The one line that says where this computer's work is kept. */
export function whereLine(status: TeamStatus): string {
  if (status.teamDatabase) return `Team database: ${status.teamDatabase}, as ${status.actingAs}`;
  return `This computer: on its own (SQLite in ${status.dataDir})`;
}

/** What "Test connection" found, as a sentence. */
export function checkLine(check: TeamDatabaseCheck): string {
  const server = `Connected to PostgreSQL ${check.serverVersion.split(" ")[0]}.`;
  switch (check.schema) {
    case "empty":
      return `${server} The database is empty: joining creates Shotkeeper's tables.`;
    case "up_to_date":
      return `${server} It holds a team's Shotkeeper data, up to date (schema ${check.schemaVersion}).`;
    case "older":
      return `${server} It was written by an older Shotkeeper (schema ${check.schemaVersion} of ${check.knownVersion}): joining brings it up to date, after which older Shotkeepers cannot open it.`;
  }
}

/** A note under the status when the environment overrides what is saved here, else null. */
export function overrideNote(status: TeamStatus): string | null {
  const notes: string[] = [];
  if (status.databaseFromEnv)
    notes.push(`SHOTKEEPER_DATABASE_URL is set, so this app opens ${status.databaseFromEnv} whatever is chosen here.`);
  if (status.nameFromEnv) notes.push(`SHOTKEEPER_AS is set, so your work is recorded as ${status.actingAs} whatever name is saved here.`);
  return notes.length ? notes.join(" ") : null;
}

/** The name as it would be saved (trimmed; empty means "my OS user name"), or undefined when unchanged. */
export function nameToSave(typed: string, saved: string | null): string | null | undefined {
  const t = typed.trim();
  const next = t === "" ? null : t;
  return next === saved ? undefined : next;
}

/** The day and minute of core's RFC 3339 time, as a person reads it ("2026-11-30 09:05 UTC"). */
function when(at: string): string {
  return at.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
}

/** Settings › Team › Team key: whether this computer holds the team key, as one line. */
export function keyLine(status: TeamKeyStatus): string {
  if (!status.recorded) return "The team has no key yet.";
  const id = status.keyId ? ` ${status.keyId.slice(0, 8)}` : "";
  if (!status.held) return `This computer does not hold the team key${id}.`;
  const from = status.source === "keychain" ? "in this computer's keychain" : "from the key file given to Shotkeeper";
  return `This computer holds the team key${id}, ${from}.`;
}

/** Who made the key and who rotated it last, or null when there is no key. */
export function keyHistory(status: TeamKeyStatus): string | null {
  if (!status.createdAt) return null;
  const made = `Made by ${status.createdBy} on ${when(status.createdAt)}`;
  if (!status.rotatedAt) return `${made}.`;
  return `${made}; last rotated by ${status.rotatedBy} on ${when(status.rotatedAt)}.`;
}

/** What a rotation did, for the notice after it. */
export function rotationLine(r: Rotation): string {
  const n = r.secrets === 1 ? "1 secret" : `${r.secrets} secrets`;
  return `Team key rotated (${r.oldKeyId.slice(0, 8)} → ${r.newKeyId.slice(0, 8)}): ${n} sealed again. Colleagues need the new key now: save it to a file and give it to them.`;
}

/** Core's clause (lower-case, as it reads inside an error) as a sentence of its own. */
export function sentence(clause: string): string {
  const s = clause.charAt(0).toUpperCase() + clause.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

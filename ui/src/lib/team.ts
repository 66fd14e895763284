// Settings › Team: how the card words core's answers. Which database a data
// directory uses, the address itself (kept in the OS keychain) and the
// name's rules live in Rust (core's `team`); these only say it.

import type { TeamDatabaseCheck, TeamStatus } from "./types";

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

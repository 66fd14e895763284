// Formatting for display.

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return "0 B";
  const units = ["B", "KB", "MB", "GB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "by Ana, 30 Nov 2026, 10:02": who did something and when, for a team
 * sharing one database; just the date when no name was kept. */
export function byline(who: string | null, iso: string): string {
  return who ? `by ${who}, ${formatDate(iso)}` : formatDate(iso);
}

export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((done / total) * 100)));
}

/** "image/png"-like display of an image type; broken images have none. */
export function typeLabel(type: string): string {
  return type ? type.toUpperCase() : "—";
}

export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}

/** "Nov 22, 21:58": for compact lists. */
export function formatShortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/**
 * Joins pieces of help text into sentences: blank pieces are left out and
 * each piece ends with a full stop unless it already ends in punctuation
 * (core's hints are phrases without one).
 */
export function sentences(...parts: (string | null | undefined)[]): string {
  return parts
    .map((p) => (p ?? "").trim())
    .filter((p) => p.length > 0)
    .map((p) => (/[.!?…)]$/.test(p) ? p : `${p}.`))
    .join(" ");
}

/** The hint under a secret field: where to find it, and where it goes. */
export function secretHint(mode: "value" | "env", providerHelp: string | null | undefined): string {
  return mode === "value"
    ? sentences(providerHelp, "Saved to the OS keychain, never shown again")
    : sentences("Nothing is stored; the variable is read each time Shotkeeper connects");
}

/** Core words its messages to follow "error: " on a command line; shown on their own (beside a field, in a banner) they start a sentence. */
export function asSentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

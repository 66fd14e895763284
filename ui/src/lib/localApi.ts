// Settings › Local API: what the section shows of the server and its keys.
// The server and the keys live in Rust (shotkeeper-server, core's api_keys);
// these only word and check what the person typed.

import type { ApiKeyInfo } from "./types";

/** The port typed in the field, or null when it is not one (1 to 65535). */
export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

/** A first request to try, with the key's place marked (never the key). */
export function curlExample(baseUrl: string): string {
  return `curl -H "x-api-key: YOUR_KEY" ${baseUrl}/helpcenter/import`;
}

/** Live keys first (newest first, as core lists them), then revoked ones. */
export function sortKeys(keys: readonly ApiKeyInfo[]): ApiKeyInfo[] {
  return [...keys.filter((k) => !k.revokedAt), ...keys.filter((k) => k.revokedAt)];
}

// Settings › Team › Shared files: what the card says, from core's status.

import type { IntegrationView, SharedFilesStatus } from "./types";

/** The sentence under the card's title: where the team's files are now. */
export function sharedFilesLine(s: SharedFilesStatus): string {
  if (!s.teamDatabase) return "Files stay on this computer: sharing them is for a team database.";
  if (!s.storageIntegrationId) return "Not shared: each computer keeps the thumbnails and screenshots it made.";
  const label = s.storageLabel ?? "an integration that no longer exists";
  return `Shared in ${label}: every member's Shotkeeper shows the team's thumbnails and screenshots.`;
}

/** The S3/R2 integrations a team can keep its files in. */
export function storageChoices(integrations: IntegrationView[]): IntegrationView[] {
  return integrations.filter((i) => i.platform === "cloud");
}

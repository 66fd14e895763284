// Mirrors of the Rust types that cross the command boundary
// (shotkeeper_core::model, shotkeeper_core::app). Field names are exactly the
// serde names: camelCase, except where seed 000 uses snake_case.

export type Platform = "helpcenter" | "cloud";

export type ProviderKind =
  | "zendesk"
  | "intercom"
  | "helpscout"
  | "helpjuice"
  | "freshdesk"
  | "knowledgeowl"
  | "helpcenterio"
  | "helpcenter"
  | "s3"
  | "r2";

export interface FieldSpec {
  key: string;
  label: string;
  help: string;
  required: boolean;
  placeholder: string;
}

export interface ProviderSpec {
  kind: ProviderKind;
  displayName: string;
  fields: FieldSpec[];
  secretLabel: string;
  secretHelp: string;
  defaultBaseUrl: string;
  requestsPerMinute?: number;
  hasImageUpload: boolean;
}

export type SecretSource =
  | { kind: "keychain" }
  | { kind: "env"; name: string }
  | { kind: "demo" };

export interface Integration {
  id: string;
  label: string;
  platform: Platform;
  provider: ProviderKind;
  baseUrl: string | null;
  settings: Record<string, string>;
  secretSource: SecretSource;
  createdAt: string;
  updatedAt: string;
}

/** An integration as the UI sees it: never the secret, only whether one is stored. */
export interface IntegrationView extends Integration {
  hasSecret: boolean;
  /** The built-in demo help center (the in-process simulator). */
  isDemo: boolean;
}

export type SecretInput = { kind: "value"; value: string } | { kind: "env"; name: string };

export interface NewIntegration {
  label: string;
  provider: ProviderKind;
  baseUrl: string | null;
  settings: Record<string, string>;
  secret: SecretInput;
}

export interface UpdateIntegration {
  /** null keeps the current value. */
  label: string | null;
  /** "" clears the override; null keeps it. */
  baseUrl: string | null;
  /** Replaces every setting when given. */
  settings: Record<string, string> | null;
  /** null keeps the secret already stored in the keychain. */
  secret: SecretInput | null;
}

export interface VerifyResult {
  isConnectionSuccessful: boolean;
  message: string;
}

export type ImportPhase = "listing" | "articles" | "images" | "done";

export interface ImportProgress {
  jobId: string;
  phase: ImportPhase;
  articlesDiscovered: number;
  articlesProcessed: number;
  articlesFailed: number;
  imageRefs: number;
  imagesToDownload: number;
  imagesDownloaded: number;
  broken: number;
  duplicates: number;
  /** Set by core while the job waits out a long retry ("rate limited by …, resuming in 52 s"). */
  notice?: string | null;
}

export interface Summary {
  total: number;
  success: number;
  pending: number;
  failed: number;
  skipped: number;
}

export interface Totals {
  articles: {
    discovered: number;
    processed: number;
    total: number;
    success: number;
    pending: number;
    failed: number;
    skipped: number;
  };
  images: { total: number; unique: number; duplicate: number };
  authors: number;
}

export interface CloudObject {
  upload: string;
  fileObject: string;
  bucket: string;
}

export interface ImageView {
  url: string;
  cloud?: CloudObject;
  name: string;
  alt: string;
  type: string;
  width: number;
  height: number;
  statusCode: number;
  size: number;
  hash: string;
  metadata: Record<string, string>;
}

export interface ArticleRefView {
  kbid: string;
  external_article_id: string;
  url: string;
  title: string;
  isPublished: boolean;
}

export interface ArticleView {
  id: string;
  external_article_id: string;
  kbid: string;
  title: string;
  isPublished: boolean;
  url: string;
  status: string;
  images: ImageView[];
  tags: string[];
  content: string;
  createdAt: string;
  updatedAt: string;
}

export interface JobView {
  id: string;
  name: string;
  summary: Summary;
  total: Totals;
  articles?: ArticleView[];
  images?: unknown[];
}

export type JobStatus = "running" | "completed" | "failed" | "cancelled" | "interrupted";

export interface JobListItem {
  id: string;
  integrationId: string;
  integrationLabel: string;
  name: string;
  status: JobStatus;
  /** Why the job failed or stopped, when it did. */
  error: string | null;
  summary: Summary;
  total: Totals;
  createdAt: string;
  updatedAt: string;
}

export type Dimension = "images" | "articles";

/** One tile of the images grid. */
export interface ImageRow {
  url: string;
  name: string;
  alt: string;
  type: string;
  width: number;
  height: number;
  size: number;
  statusCode: number;
  hash: string;
  metadata: Record<string, string>;
  articlesCount: number;
  /** The same bytes are also at another URL. */
  isDuplicate: boolean;
  /** The download failed (404…) or the bytes are not a usable image. */
  isBroken: boolean;
  /** Why the bytes are not a usable image, when they are not. */
  problem: string | null;
  /** Absolute path of the thumbnail under the data directory, if one was made. */
  thumbnail: string | null;
  lastModified: string | null;
}

/** An article using an image (image details). */
export interface ArticleUse {
  articleId: string;
  externalArticleId: string;
  locale: string | null;
  title: string;
  url: string;
  isPublished: boolean;
}

export interface ImageDetail extends ImageRow {
  articles: ArticleUse[];
  duplicateUrls: string[];
}

export interface ArticleStripImage {
  url: string;
  thumbnail: string | null;
  statusCode: number;
}

export interface ArticleRow {
  id: string;
  externalArticleId: string;
  locale: string | null;
  title: string;
  url: string;
  isPublished: boolean;
  status: string;
  error: string | null;
  imageCount: number;
  brokenCount: number;
  images: ArticleStripImage[];
}

export interface ArticleDetail {
  id: string;
  externalArticleId: string;
  locale: string | null;
  title: string;
  url: string;
  isPublished: boolean;
  status: string;
  error: string | null;
  content: string;
  createdAt: string;
  updatedAt: string;
  /** In document order; an image used twice appears twice. */
  images: ImageRow[];
}

export interface AppInfo {
  version: string;
  dataDir: string;
  demoIntegrationId: string | null;
  demoError: string | null;
}

/** Every command error: the CoreError kind and its message (what went wrong, what to do). */
export interface CommandError {
  kind: string;
  message: string;
}

// --- replacing screenshots (shotkeeper_core::update, matching, diff) -------

export type MatchType = "metadata" | "hash" | "perceptual" | "name" | "manual" | "notfound";
export type MatchStatus = "matched" | "unchanged" | "notfound" | "ambiguous";

/** An article (or translation) using a matched image. */
export interface MatchArticle {
  articleId: string;
  externalId: string;
  locale: string | null;
  title: string;
}

export interface Screenshot {
  name: string;
  sha256: string;
  phash: string | null;
  width: number;
  height: number;
  metadata: Record<string, string>;
  /** The copy in the data directory (dropped files) or a URL. */
  source: string;
}

export interface MatchTarget {
  url: string;
  name: string;
  sha256: string;
  articles: MatchArticle[];
  distance?: number;
  /** The image already has the screenshot's exact bytes. */
  unchanged: boolean;
}

export interface MatchResult {
  screenshot: string;
  source: string;
  matchType: MatchType;
  status: MatchStatus;
  distance?: number;
  targets: MatchTarget[];
  ambiguous?: MatchTarget[];
  /** Why, for a person. */
  reason: string;
}

export interface PlannedScreenshot {
  screenshot: Screenshot;
  match: MatchResult;
}

export interface PlannedChange {
  oldUrl: string;
  screenshotSha256: string;
  screenshotName: string;
  matchType: MatchType;
  distance: number | null;
  selected: boolean;
}

/** One place of an article an update changes, or leaves alone beside a replaced image. */
export interface Place {
  element: "img" | "source" | "link";
  attribute: string;
  /** srcset descriptor ("2x", "480w"); absent when there is none. */
  descriptor?: string;
  url: string;
  /** The replaced image URL this place is about. */
  replaces: string;
  changes: boolean;
  /** Why a place is left alone. */
  note?: string;
}

export interface PlannedArticle {
  articleId: string;
  externalId: string;
  locale: string | null;
  title: string;
  url: string;
  changes: PlannedChange[];
  /** Every place the update changes and each related one it leaves, in document order. */
  places: Place[];
}

export interface UpdatePlan {
  id: string;
  jobId: string;
  integrationId: string;
  /** S3/R2 integration for uploads; null = the help center's own upload. */
  storageIntegrationId: string | null;
  createdAt: string;
  screenshots: PlannedScreenshot[];
  articles: PlannedArticle[];
}

export interface PlanRequest {
  jobId: string;
  paths: string[];
  storageIntegrationId?: string | null;
  /** The screenshot was dropped on this image: replace it, chosen by hand. */
  dropTarget?: string | null;
  /** A plan in review that these screenshots join. */
  extendPlan?: string | null;
}

export interface ApplyProgress {
  planId: string;
  articlesTotal: number;
  articlesDone: number;
  articlesFailed: number;
  uploadsDone: number;
  current: string | null;
}

export interface ScreenshotOutcome {
  metadata: Record<string, string>;
  hash: string;
  name: string;
  /** success | failed | unchanged | notfound | skipped */
  status: string;
  matchType: string;
}

export interface ArticleOutcome {
  articleId: string;
  externalId: string;
  locale: string | null;
  title: string;
  /** updated | failed | skipped | would_update */
  status: string;
  replaced: number;
  revisionId: string | null;
  error: string | null;
  replacements: Record<string, string>;
}

export interface UpdateResult {
  summary: { total: number; success: number; failed: number };
  screenshots: ScreenshotOutcome[];
  articles: ArticleOutcome[];
  dryRun: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Visual diff from core: regions are in the canvas's own pixels (width × height). */
export interface DiffResult {
  width: number;
  height: number;
  changedShare: number;
  regions: Rect[];
  scaled: boolean;
  /** The compared pictures as files, all width × height (compare modes). */
  views?: DiffViews;
}

/** Paths of core's pictures of a diff; they lie exactly over one another. */
export interface DiffViews {
  /** The old image, scaled to the canvas. */
  before: string;
  /** The new screenshot on the canvas. */
  after: string;
  /** The new one faded to grey, changed pixels in magenta. */
  highlight: string;
}

export interface Revision {
  id: string;
  integrationId: string;
  planId: string | null;
  articleId: string | null;
  externalId: string;
  locale: string | null;
  title: string;
  contentBefore: string;
  contentAfter: string;
  replacements: Record<string, string>;
  /** pending | applied | failed | rolled_back */
  status: string;
  error: string | null;
  rollbackOf: string | null;
  createdAt: string;
  appliedAt: string | null;
}

export interface RollbackOutcome {
  revisionId: string;
  rollbackRevisionId: string | null;
  /** exact | images */
  mode: string;
  content: string;
  dryRun: boolean;
}

// --- audits (shotkeeper_core::audit) ----------------------------------------

export type AuditRule = "broken" | "missing_alt" | "heavy" | "insecure" | "hotlinked" | "duplicate" | "old";

export interface Finding {
  rule: AuditRule;
  url: string;
  detail: string;
  wastedBytes: number;
  articles: ArticleUse[];
}

/** A help center's audit thresholds (shotkeeper_core::audit::AuditSettings). */
export interface AuditSettings {
  /** Images above this many KiB are heavy. */
  heavyKib: number;
  /** Images last modified more than this many days ago are old. */
  oldDays: number;
}

export interface AuditReport {
  jobId: string;
  counts: Record<AuditRule, number>;
  findings: Finding[];
}

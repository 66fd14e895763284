// Typed bindings for every command of src-tauri. The only module that calls
// `invoke`; everything else goes through these functions.

import { Channel, convertFileSrc, invoke } from "@tauri-apps/api/core";
import { openUrl } from "@tauri-apps/plugin-opener";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type {
  ApiKeyInfo,
  BrowserSetting,
  CaptureRun,
  CaptureStatus,
  ShotsOverview,
  LocalApiStatus,
  TeamDatabaseCheck,
  TeamKeyStatus,
  TeamStatus,
  SharedFilesStatus,
  UpdateActivity,
  Rotation,
  NewApiKey,
  ApplyProgress,
  AuditReport,
  AuditSettings,
  DiffResult,
  PlanRequest,
  Revision,
  RollbackOutcome,
  UpdatePlan,
  UpdateResult,
  AppInfo,
  ArticleDetail,
  ArticleRow,
  CommandError,
  Dimension,
  ImageDetail,
  ImageRow,
  ImportProgress,
  FieldProblem,
  IntegrationDraft,
  IntegrationView,
  JobListItem,
  JobView,
  NewIntegration,
  ProviderSpec,
  UpdateIntegration,
  VerifyResult,
} from "./types";

/** An error from a command, with the core error kind and its message. */
export class ApiError extends Error implements CommandError {
  readonly kind: string;
  /** The integration setting core found wrong, when it was one. */
  readonly setting?: string;
  constructor(kind: string, message: string, setting?: string) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.setting = setting;
  }
}

/** Turns whatever a rejected invoke gave into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === "object" && "message" in e) {
    const o = e as { kind?: unknown; message?: unknown; setting?: unknown };
    const setting = typeof o.setting === "string" ? o.setting : undefined;
    return new ApiError(typeof o.kind === "string" ? o.kind : "internal", String(o.message), setting);
  }
  if (typeof e === "string") return new ApiError("internal", e);
  return new ApiError("internal", "Something went wrong inside Shotkeeper. Try again; if it persists, restart the app.");
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  providerSpecs: () => call<ProviderSpec[]>("provider_specs"),

  listIntegrations: () => call<IntegrationView[]>("list_integrations"),
  getIntegration: (id: string) => call<IntegrationView>("get_integration", { id }),
  checkIntegration: (draft: IntegrationDraft) => call<FieldProblem[]>("check_integration", { draft }),
  addIntegration: (input: NewIntegration) => call<IntegrationView>("add_integration", { input }),
  updateIntegration: (id: string, input: UpdateIntegration) =>
    call<IntegrationView>("update_integration", { id, input }),
  deleteIntegration: (id: string) => call<void>("delete_integration", { id }),
  verifyIntegration: (id: string) => call<VerifyResult>("verify_integration", { id }),

  /**
   * Runs an import to the end (or until cancelled) and resolves with its
   * counts. `onProgress` receives every progress report, the first one
   * carrying the job id that `cancelImport` takes.
   */
  startImport: (
    integrationId: string,
    onProgress: (p: ImportProgress) => void,
    resumeJob: string | null = null,
  ) => {
    const channel = new Channel<ImportProgress>();
    channel.onmessage = onProgress;
    return call<JobView>("start_import", { integrationId, resumeJob, onProgress: channel });
  },
  cancelImport: (jobId: string) => call<boolean>("cancel_import", { jobId }),

  listJobs: () => call<JobListItem[]>("list_jobs"),
  jobView: (jobId: string, dimension: Dimension = "images") => call<JobView>("job_view", { jobId, dimension }),
  imageRows: (jobId: string) => call<ImageRow[]>("image_rows", { jobId }),
  imageDetail: (jobId: string, url: string) => call<ImageDetail>("image_detail", { jobId, url }),
  articleRows: (jobId: string) => call<ArticleRow[]>("article_rows", { jobId }),
  articleDetail: (jobId: string, articleId: string) => call<ArticleDetail>("article_detail", { jobId, articleId }),

  /** What the drop handler calls with the dropped paths: match them and store a plan for review. */
  planUpdate: (request: PlanRequest) => call<UpdatePlan>("plan_update", { request }),
  getPlan: (planId: string) => call<UpdatePlan>("get_plan", { planId }),
  savePlan: (plan: UpdatePlan) => call<void>("save_plan", { plan }),
  diffMatch: (planId: string, screenshotSha256: string, oldUrl: string) =>
    call<DiffResult>("diff_match", { planId, screenshotSha256, oldUrl }),
  /** Applies a plan; `onProgress` receives live counts. Cancel with `cancelUpdate`. */
  applyPlan: (planId: string, onProgress: (p: ApplyProgress) => void) => {
    const channel = new Channel<ApplyProgress>();
    channel.onmessage = onProgress;
    return call<UpdateResult>("apply_plan", { planId, onProgress: channel });
  },
  cancelUpdate: (planId: string) => call<boolean>("cancel_update", { planId }),
  articleRevisions: (integrationId: string, externalId: string, locale: string | null) =>
    call<Revision[]>("article_revisions", { integrationId, externalId, locale }),
  rollbackRevision: (revisionId: string) => call<RollbackOutcome>("rollback_revision", { revisionId }),

  /** The audit of an import, with its help center's saved thresholds. */
  auditJob: (jobId: string) => call<AuditReport>("audit_job", { jobId }),
  auditSettings: (integrationId: string) => call<AuditSettings>("audit_settings", { integrationId }),
  /** Remembers a help center's thresholds (core checks them); resolves with what was saved. */
  saveAuditSettings: (integrationId: string, settings: AuditSettings) =>
    call<AuditSettings>("save_audit_settings", { integrationId, settings }),
  /** Writes the audit into the Downloads folder; resolves with the file's path. */
  exportAudit: (jobId: string, format: "csv" | "json") => call<string>("export_audit", { jobId, format }),

  /** Capture: a scenarios file read and checked (a mistake names its line and column), remembered for next time. */
  openShots: (path: string) => call<ShotsOverview>("open_shots", { path }),
  /** The demo app's scenarios file (shipped with Shotkeeper), written for the running demo and opened. */
  openDemoShots: () => call<ShotsOverview>("open_demo_shots"),
  /** The scenarios file opened last, or null. */
  recentShots: () => call<string | null>("recent_shots"),
  /** Captures the file's scenarios (all when `only` is empty); `onStatus` receives each one as it starts and ends. */
  captureShots: (path: string, only: string[], onStatus: (s: CaptureStatus) => void) => {
    const channel = new Channel<CaptureStatus>();
    channel.onmessage = onStatus;
    return call<CaptureRun>("capture_shots", { path, only, onStatus: channel });
  },
  cancelCapture: (path: string) => call<boolean>("cancel_capture", { path }),
  /** Settings › Capture: the browser chosen there and the one a capture would start. */
  captureBrowser: () => call<BrowserSetting>("capture_browser"),
  /** Chooses the browser (null: the one on PATH); core refuses a path that is not a file. */
  setCaptureBrowser: (path: string | null) => call<BrowserSetting>("set_capture_browser", { path }),

  /** Settings › Local API: the REST API of `shotkeeper serve`, on 127.0.0.1. */
  localApiStatus: () => call<LocalApiStatus>("local_api_status"),
  startLocalApi: (port: number) => call<LocalApiStatus>("start_local_api", { port }),
  stopLocalApi: () => call<LocalApiStatus>("stop_local_api"),
  listApiKeys: () => call<ApiKeyInfo[]>("list_api_keys"),
  /** The new key is in the answer once; show it, let it be copied, then drop it. */
  createApiKey: (label: string) => call<NewApiKey>("create_api_key", { label }),
  revokeApiKey: (id: string) => call<ApiKeyInfo>("revoke_api_key", { id }),

  /** Settings › Team: this data directory's database (team or its own) and the member's name. */
  teamStatus: () => call<TeamStatus>("team_status"),
  /** Connects without changing anything; the address is sent, never sent back. */
  testTeamDatabase: (url: string) => call<TeamDatabaseCheck>("test_team_database", { url }),
  /** Tests, then saves the address in the OS keychain; takes effect after `restartApp`. */
  joinTeam: (url: string, name: string | null) => call<TeamStatus>("join_team", { url, name }),
  /** Back to this computer's own database (left as it was); takes effect after `restartApp`. */
  leaveTeam: () => call<TeamStatus>("leave_team"),
  /** The name jobs and revisions record (null: the OS user's); applies at once. */
  setMemberName: (name: string | null) => call<TeamStatus>("set_member_name", { name }),
  restartApp: () => call<void>("restart_app"),
  /** Where the team keeps thumbnails and screenshots (team database only). */
  sharedFilesStatus: () => call<SharedFilesStatus>("shared_files_status"),
  /** Chooses the S3/R2 integration for the team's files (checked for write access); null stops sharing. */
  setSharedFiles: (storageIntegrationId: string | null) => call<SharedFilesStatus>("set_shared_files", { storageIntegrationId }),
  /** This machine's copy of a thumbnail or screenshot made on a colleague's machine, fetched when missing. */
  localCopy: (path: string) => call<string>("local_copy", { path }),
  /** Plans colleagues are applying now, from the shared database. */
  updatesElsewhere: () => call<UpdateActivity[]>("updates_elsewhere"),

  /** Settings › Team › Team key: whether this computer holds the team key (never the key). */
  teamKeyStatus: () => call<TeamKeyStatus>("team_key_status"),
  /** A key a teammate shared: checked against the team database, then kept in the OS keychain. */
  addTeamKey: (key: string) => call<TeamKeyStatus>("add_team_key", { key }),
  /** Asks where (the system's save dialog) and writes the key there; the path, or null when cancelled. */
  saveTeamKey: () => call<string | null>("save_team_key"),
  /** Re-seals every secret under a new key, kept in this computer's keychain. */
  rotateTeamKey: () => call<Rotation>("rotate_team_key"),
};

export type Api = typeof api;

/** Opens an http(s) link (an article, an image) in the default browser; anything else is refused. */
export async function openExternal(url: string): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ApiError("invalid", `Not a link Shotkeeper can open: ${url}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new ApiError("invalid", `Only http and https links are opened, not ${u.protocol}`);
  }
  try {
    await openUrl(u.toString());
  } catch (e) {
    throw toApiError(e);
  }
}

/** URL for a thumbnail path the backend gave (served by the asset protocol, scoped to the thumbnails folder). */
export function thumbnailSrc(path: string | null | undefined, version?: string): string | null {
  if (!path) return null;
  // data: previews come from the browser-only mock; real ones are files.
  if (path.startsWith("data:")) return path;
  // A file rewritten in place (a new capture) needs a new URL, or the
  // webview shows the picture it cached; the asset protocol reads only the path.
  return version ? `${convertFileSrc(path)}?v=${encodeURIComponent(version)}` : convertFileSrc(path);
}

/** The image types a screenshot can be (core's IMAGE_EXTENSIONS). */
const SCREENSHOT_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp", "svg"];

/** Asks for screenshot files (or one folder of them) with the system's chooser; [] when cancelled. */
export async function chooseScreenshots(folder: boolean): Promise<string[]> {
  try {
    const picked = folder
      ? await openDialog({ directory: true, title: "Choose a folder of screenshots" })
      : await openDialog({
          multiple: true,
          title: "Choose screenshots",
          filters: [{ name: "Screenshots", extensions: SCREENSHOT_EXTENSIONS }],
        });
    if (!picked) return [];
    return Array.isArray(picked) ? picked : [picked];
  } catch (e) {
    throw toApiError(e);
  }
}

/** Asks for a scenarios file (shots.toml) with the system's chooser; null when cancelled. */
export async function chooseShotsFile(): Promise<string | null> {
  try {
    const picked = await openDialog({
      multiple: false,
      title: "Open a scenarios file",
      filters: [{ name: "Scenarios", extensions: ["toml"] }],
    });
    return typeof picked === "string" ? picked : null;
  } catch (e) {
    throw toApiError(e);
  }
}

// The app's shared state (Svelte 5 runes) and the actions that change it.
// Components read from `app` and call these actions; only `api` talks to Rust.

import { api, ApiError, toApiError } from "./api";
import type {
  AppInfo,
  ArticleDetail,
  ArticleRow,
  AuditReport,
  ImageDetail,
  ImageRow,
  ImportProgress,
  IntegrationView,
  JobListItem,
  JobView,
  ProviderSpec,
} from "./types";

export type Route = "integrations" | "import" | "images" | "articles" | "capture" | "replace" | "settings";

export interface Loadable<T> {
  data: T;
  loading: boolean;
  error: ApiError | null;
}

export interface ImportRun {
  integrationId: string;
  integrationLabel: string;
  jobId: string | null;
  progress: ImportProgress | null;
  running: boolean;
  cancelling: boolean;
  result: JobView | null;
  error: ApiError | null;
  startedAt: number;
}

function loadable<T>(data: T): Loadable<T> {
  return { data, loading: false, error: null };
}

class AppState {
  route = $state<Route>("integrations");
  info = $state<AppInfo | null>(null);
  specs = $state<ProviderSpec[]>([]);
  integrations = $state<Loadable<IntegrationView[]>>(loadable([]));
  jobs = $state<Loadable<JobListItem[]>>(loadable([]));
  /** The job whose results the review views show. */
  jobId = $state<string | null>(null);
  images = $state<Loadable<ImageRow[]>>(loadable([]));
  articles = $state<Loadable<ArticleRow[]>>(loadable([]));
  /** Findings of the audit rules over the job in review (core computes them). */
  audit = $state<Loadable<AuditReport | null>>(loadable(null));
  imageDetail = $state<Loadable<ImageDetail | null>>(loadable(null));
  articleDetail = $state<Loadable<ArticleDetail | null>>(loadable(null));
  run = $state<ImportRun | null>(null);
  /** Set by the menu/shortcut "Add integration…", consumed by the integrations view. */
  addRequested = $state(0);
  /** Set by Ctrl/Cmd+F; the visible view focuses its search box and clears it. */
  focusSearch = $state(false);
  startupError = $state<ApiError | null>(null);

  get reviewJob(): JobListItem | undefined {
    return this.jobs.data.find((j) => j.id === this.jobId);
  }
  get completedJobs(): JobListItem[] {
    return this.jobs.data.filter((j) => j.status === "completed" || j.status === "cancelled" || j.status === "interrupted");
  }
  specFor(kind: string): ProviderSpec | undefined {
    return this.specs.find((s) => s.kind === kind);
  }
}

export const app = new AppState();

async function load<T>(target: Loadable<T>, fn: () => Promise<T>): Promise<boolean> {
  target.loading = true;
  target.error = null;
  try {
    target.data = await fn();
    return true;
  } catch (e) {
    target.error = toApiError(e);
    return false;
  } finally {
    target.loading = false;
  }
}

export async function startup(): Promise<void> {
  try {
    const [info, specs] = await Promise.all([api.appInfo(), api.providerSpecs()]);
    app.info = info;
    app.specs = specs;
  } catch (e) {
    app.startupError = toApiError(e);
  }
  await Promise.all([loadIntegrations(), loadJobs()]);
  const latest = app.jobs.data.find((j) => j.status === "completed");
  if (latest) {
    await selectJob(latest.id);
    app.route = "images";
  } else {
    app.route = app.integrations.data.length ? "import" : "integrations";
  }
}

export const loadIntegrations = () => load(app.integrations, api.listIntegrations);
export const loadJobs = () => load(app.jobs, api.listJobs);

export async function selectJob(jobId: string | null): Promise<void> {
  app.jobId = jobId;
  app.imageDetail = loadable(null);
  app.articleDetail = loadable(null);
  if (!jobId) {
    app.images = loadable([]);
    app.articles = loadable([]);
    app.audit = loadable(null);
    return;
  }
  await Promise.all([
    load(app.images, () => api.imageRows(jobId)),
    load(app.articles, () => api.articleRows(jobId)),
    load(app.audit, () => api.auditJob(jobId)),
  ]);
}

/** Audits the job in review again (after its help center's thresholds changed). */
export async function reloadAudit(): Promise<void> {
  const jobId = app.jobId;
  if (jobId) await load(app.audit, () => api.auditJob(jobId));
}

export async function openImage(url: string | null): Promise<void> {
  const jobId = app.jobId;
  if (!url || !jobId) {
    app.imageDetail = loadable(null);
    return;
  }
  app.imageDetail = { data: app.imageDetail.data?.url === url ? app.imageDetail.data : null, loading: true, error: null };
  await load(app.imageDetail, () => api.imageDetail(jobId, url));
}

export async function openArticle(articleId: string | null): Promise<void> {
  const jobId = app.jobId;
  if (!articleId || !jobId) {
    app.articleDetail = loadable(null);
    return;
  }
  app.route = "articles";
  app.articleDetail = { data: null, loading: true, error: null };
  await load(app.articleDetail, () => api.articleDetail(jobId, articleId));
}

export async function reload(): Promise<void> {
  await Promise.all([loadIntegrations(), loadJobs()]);
  if (app.jobId) {
    const detailUrl = app.imageDetail.data?.url ?? null;
    const articleId = app.articleDetail.data?.id ?? null;
    await selectJob(app.jobId);
    if (detailUrl) await openImage(detailUrl);
    if (articleId) await openArticle(articleId);
  }
}

/** Starts (or resumes) an import and follows its progress until it ends. */
export async function startImport(integration: IntegrationView, resumeJob: string | null = null): Promise<void> {
  if (app.run?.running) return;
  const run: ImportRun = {
    integrationId: integration.id,
    integrationLabel: integration.label,
    jobId: resumeJob,
    progress: null,
    running: true,
    cancelling: false,
    result: null,
    error: null,
    startedAt: Date.now(),
  };
  app.run = run;
  app.route = "import";
  const r = app.run;
  try {
    const result = await api.startImport(
      integration.id,
      (p) => {
        r.jobId = p.jobId;
        r.progress = p;
        // Show the new job in the past-jobs list as soon as it exists.
        if (!app.jobs.loading && !app.jobs.data.some((j) => j.id === p.jobId)) void loadJobs();
      },
      resumeJob,
    );
    r.result = result;
    r.jobId = result.id;
  } catch (e) {
    r.error = toApiError(e);
  } finally {
    r.running = false;
    r.cancelling = false;
  }
  await loadJobs();
  if (r.result && r.jobId && !r.error) await selectJob(r.jobId);
}

export async function cancelImport(): Promise<void> {
  const r = app.run;
  if (!r?.running || !r.jobId) return;
  r.cancelling = true;
  try {
    await api.cancelImport(r.jobId);
  } catch (e) {
    r.error = toApiError(e);
    r.cancelling = false;
  }
}

export function navigate(route: Route): void {
  app.route = route;
}

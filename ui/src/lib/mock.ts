// Browser-only stand-in for the Rust side, for working on the UI without the
// app (`VITE_MOCK=1 npm run dev`; VITE_MOCK_IMAGES=20000 for the big grid).
// Never part of a production build: main.ts imports it only when VITE_MOCK=1.

import { mockIPC } from "@tauri-apps/api/mocks";
import providerSpecs from "./bindings/providers.json";
import type {
  ApiKeyInfo,
  LocalApiStatus,
  TeamStatus,
  TeamKeyStatus,
  ArticleRow,
  ImageRow,
  ImportProgress,
  IntegrationView,
  JobListItem,
  ProviderSpec,
} from "./types";

const EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const COLORS = ["#4c6ef5", "#12b886", "#fab005", "#fa5252", "#7950f2", "#15aabf", "#fd7e14", "#82c91e"];

function svgThumb(i: number): string {
  const c = COLORS[i % COLORS.length];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200"><rect width="320" height="200" fill="#f8f9fa"/><rect width="320" height="28" fill="${c}"/><rect x="16" y="44" width="120" height="12" rx="3" fill="#ced4da"/><rect x="16" y="66" width="200" height="10" rx="3" fill="#dee2e6"/><rect x="16" y="86" width="170" height="10" rx="3" fill="#dee2e6"/><rect x="16" y="120" width="90" height="28" rx="5" fill="${c}"/><rect x="200" y="110" width="100" height="70" rx="6" fill="${c}" opacity=".25"/></svg>`;
  return `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
}

// Exactly what core sends (generated with the bindings).
const specs = providerSpecs as ProviderSpec[];

const now = new Date().toISOString();
const integrations: IntegrationView[] = [
  {
    id: "demo",
    label: "Demo help center",
    platform: "helpcenter",
    provider: "helpcenter",
    baseUrl: "http://127.0.0.1:40123/v0",
    settings: { center_id: "demo" },
    secretSource: { kind: "keychain" },
    createdAt: now,
    updatedAt: now,
    hasSecret: true,
    isDemo: true,
  },
];

function makeImages(n: number): ImageRow[] {
  const names = ["settings", "billing", "dashboard", "export", "team", "login", "editor", "reports", "api-keys", "sso"];
  return Array.from({ length: n }, (_, i) => {
    const broken = i % 23 === 7;
    const dup = i % 31 === 3;
    return {
      url: `https://cdn.example-help.com/uploads/${i}/${names[i % names.length]}-${i}.png`,
      name: `${names[i % names.length]}-${i}.png`,
      alt: i % 3 ? `${names[i % names.length]} screen` : "",
      type: broken ? "" : i % 9 === 0 ? "jpeg" : "png",
      width: broken ? 0 : 800 + (i % 5) * 160,
      height: broken ? 0 : 500 + (i % 4) * 90,
      size: broken ? 0 : 20_000 + ((i * 7919) % 180_000),
      statusCode: broken ? 404 : 200,
      hash: broken ? EMPTY_SHA : (i * 2654435761).toString(16).padStart(8, "0").repeat(8),
      metadata: (i % 5 === 0 ? { Software: "Shotkeeper", screen: names[i % names.length] } : {}) as Record<string, string>,
      articlesCount: i % 17 === 0 ? 0 : 1 + (i % 4),
      isDuplicate: dup,
      isBroken: broken,
      problem: null,
      thumbnail: broken ? null : svgThumb(i),
      lastModified: null,
    };
  });
}

function makeArticles(images: ImageRow[]): ArticleRow[] {
  const titles = ["Getting started", "Manage billing", "Invite your team", "Export reports", "Single sign-on", "API keys", "Editor basics", "Dashboards"];
  const n = Math.max(8, Math.ceil(images.length / 4));
  return Array.from({ length: n }, (_, i) => {
    const imgs = images.slice(i * 3, i * 3 + 3 + (i % 6));
    return {
      id: `a${i}`,
      externalArticleId: String(3844200 + i),
      locale: i % 11 === 5 ? "fr" : null,
      title: `${titles[i % titles.length]}${i >= titles.length ? ` (${i})` : ""}`,
      url: `https://help.example.com/articles/${3844200 + i}`,
      isPublished: i % 13 !== 4,
      status: "completed",
      error: null,
      imageCount: imgs.length,
      brokenCount: imgs.filter((x) => x.isBroken).length,
      images: imgs.map((x) => ({ url: x.url, thumbnail: x.thumbnail, statusCode: x.statusCode, isBroken: x.isBroken })),
    };
  });
}

export function installMock(): void {
  const count = Number(import.meta.env.VITE_MOCK_IMAGES ?? 240) || 240;
  let images: ImageRow[] = [];
  let articles: ArticleRow[] = [];
  const jobs: JobListItem[] = [];
  const apiKeys: ApiKeyInfo[] = [];
  let localApi: LocalApiStatus = { running: false, baseUrl: null, openapiUrl: null, port: 8787 };
  const dataDir = "/home/me/.local/share/app.shotkeeper.desktop";
  let team: TeamStatus = {
    dataDir,
    localDatabase: `${dataDir}/shotkeeper.sqlite`,
    teamDatabase: null,
    name: null,
    actingAs: "me",
    nameFromEnv: false,
    databaseFromEnv: null,
  };
  // Team mode's key as core reports it: this computer does not hold it yet.
  let teamKey: TeamKeyStatus = {
    teamMode: true,
    recorded: true,
    held: false,
    source: null,
    keyId: "3f9a0c1d52e4b7a6",
    createdAt: "2026-11-30T09:05:12.345Z",
    createdBy: "Ben",
    rotatedAt: null,
    rotatedBy: null,
    problem:
      "ask a teammate who has the team key to share it (Settings › Team › Team key › Save key to file…), then add it in Settings › Team › Team key (the CLI and `serve`: --secret-key-file FILE)",
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  mockIPC(async (cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    await sleep(30);
    switch (cmd) {
      case "app_info":
        return { version: "0.1.0", dataDir: "/home/me/.local/share/app.shotkeeper.desktop", demoIntegrationId: "demo", demoError: null };
      case "provider_specs":
        return specs;
      case "list_integrations":
        return integrations;
      case "verify_integration":
        return { isConnectionSuccessful: true, message: "The helpcenter credentials has been successfully validated" };
      // The mock keeps no rules of its own (core owns them: its tests and the
      // desktop E2E check them), so every draft passes here.
      case "check_integration":
        return [];
      case "add_integration": {
        const input = a.input as { label: string; provider: IntegrationView["provider"]; baseUrl: string | null; settings: Record<string, string> };
        const v: IntegrationView = {
          id: `i${integrations.length}`,
          label: input.label,
          provider: input.provider,
          platform: input.provider === "s3" || input.provider === "r2" ? "cloud" : "helpcenter",
          baseUrl: input.baseUrl,
          settings: input.settings,
          secretSource: { kind: "keychain" },
          createdAt: now,
          updatedAt: now,
          hasSecret: true,
          isDemo: false,
        };
        integrations.push(v);
        return v;
      }
      case "delete_integration":
        integrations.splice(integrations.findIndex((i) => i.id === a.id), 1);
        return null;
      case "start_import": {
        const ch = a.onProgress as { onmessage: (p: ImportProgress) => void };
        const jobId = `job${jobs.length + 1}`;
        const nArticles = Math.ceil(count / 4);
        const p: ImportProgress = { jobId, phase: "listing", articlesDiscovered: 0, articlesProcessed: 0, articlesFailed: 0, imageRefs: 0, imagesToDownload: 0, imagesDownloaded: 0, broken: 0, duplicates: 0, notice: null };
        for (let s = 1; s <= 20; s++) {
          await sleep(60);
          if (s <= 4) p.articlesDiscovered = Math.round((nArticles * s) / 4);
          else if (s <= 10) {
            p.phase = "articles";
            p.articlesProcessed = Math.round((nArticles * (s - 4)) / 6);
            p.imageRefs = Math.round((count * 1.3 * (s - 4)) / 6);
            p.imagesToDownload = Math.round((count * (s - 4)) / 6);
          } else {
            p.phase = "images";
            p.imagesDownloaded = Math.round((count * (s - 10)) / 10);
            p.broken = Math.round(p.imagesDownloaded / 23);
            p.duplicates = Math.round(p.imagesDownloaded / 31);
          }
          ch.onmessage({ ...p });
        }
        ch.onmessage({ ...p, phase: "done" });
        images = makeImages(count);
        articles = makeArticles(images);
        const total = {
          articles: { discovered: articles.length, processed: articles.length, total: articles.length, success: articles.length, pending: 0, failed: 0, skipped: 0 },
          images: { total: Math.round(count * 1.3), unique: count, duplicate: Math.round(count / 31) },
          authors: 0,
        };
        jobs.unshift({ id: jobId, integrationId: a.integrationId as string, integrationLabel: "Demo help center", name: "Demo help center import", status: "completed", error: null, startedBy: "you", summary: { total: articles.length, success: articles.length, pending: 0, failed: 0, skipped: 0 }, total, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
        return { id: jobId, name: "Demo help center import", summary: jobs[0].summary, total };
      }
      case "cancel_import":
        return true;
      case "list_jobs":
        return jobs;
      case "image_rows":
        return images;
      case "article_rows":
        return articles;
      case "image_detail": {
        const img = images.find((i) => i.url === a.url)!;
        const users = articles.filter((ar) => ar.images.some((x) => x.url === img.url));
        return {
          ...img,
          articles: users.map((u) => ({ articleId: u.id, externalArticleId: u.externalArticleId, locale: u.locale, url: u.url, title: u.title, isPublished: u.isPublished })),
          duplicateUrls: img.isDuplicate ? [img.url.replace("/uploads/", "/copies/")] : [],
        };
      }
      case "article_detail": {
        const ar = articles.find((x) => x.id === a.articleId)!;
        return {
          id: ar.id,
          externalArticleId: ar.externalArticleId,
          title: ar.title,
          isPublished: ar.isPublished,
          url: ar.url,
          status: ar.status,
          error: null,
          content: "",
          createdAt: now,
          updatedAt: now,
          locale: ar.locale,
          images: ar.images.map((x) => images.find((i) => i.url === x.url)!),
        };
      }
      case "recent_shots":
        return null;
      case "capture_browser":
        return { chosen: null, effective: "/usr/bin/chromium", problem: null };
      case "local_api_status":
        return localApi;
      case "start_local_api": {
        const base = `http://127.0.0.1:${a.port as number}`;
        localApi = { running: true, baseUrl: base, openapiUrl: `${base}/openapi.json`, port: a.port as number };
        return localApi;
      }
      case "stop_local_api":
        localApi = { ...localApi, running: false, baseUrl: null, openapiUrl: null };
        return localApi;
      case "list_api_keys":
        return apiKeys;
      case "create_api_key": {
        const key = `skp_${"0123456789abcdef".repeat(4)}`;
        const info: ApiKeyInfo = { id: `k${apiKeys.length}`, label: a.label as string, prefix: key.slice(0, 10), createdAt: new Date().toISOString(), lastUsedAt: null, revokedAt: null };
        apiKeys.unshift(info);
        return { ...info, key };
      }
      case "revoke_api_key": {
        const k = apiKeys.find((x) => x.id === a.id)!;
        k.revokedAt = new Date().toISOString();
        return k;
      }
      case "team_status":
        return team;
      case "test_team_database":
        throw {
          kind: "database_unreachable",
          message: "could not open the team database at postgres://someone:***@127.0.0.1:9/none: Connection refused (os error 111). Check that PostgreSQL is running there and that the address, user, password and database name are right (postgres://USER:PASSWORD@HOST:PORT/DATABASE), then try again",
        };
      case "join_team":
        team = { ...team, teamDatabase: "postgres://ana:***@db.example.com:5432/docs", name: "Ana", actingAs: "Ana" };
        return team;
      case "leave_team":
        team = { ...team, teamDatabase: null };
        return team;
      case "shared_files_status":
      case "set_shared_files":
        return { teamDatabase: false, storageIntegrationId: null, storageLabel: null };
      case "updates_elsewhere":
        return [];
      case "local_copy":
        throw { kind: "not_found", message: "the browser preview has no shared files" };
      case "team_key_status":
        return { ...teamKey, teamMode: team.teamDatabase !== null };
      case "add_team_key":
        // The mock takes any 64 hex digits as the team's key (core checks it against the team database).
        if (!/^[0-9a-f]{64}$/i.test(String(a.key).trim()))
          throw {
            kind: "wrong_team_key",
            message: "the key entered is not your team's key: it does not open the team database's key check. Nothing was saved. Ask a teammate for the current team key (Settings › Team › Team key › Save key to file…); a key from before the last rotation no longer works",
          };
        teamKey = { ...teamKey, held: true, source: "keychain", problem: null };
        return teamKey;
      case "save_team_key":
        return "/home/me/Documents/shotkeeper-team-key.txt";
      case "rotate_team_key": {
        const oldKeyId = teamKey.keyId!;
        teamKey = { ...teamKey, keyId: "b71e4c09aa3d2f58", rotatedAt: new Date().toISOString(), rotatedBy: team.actingAs };
        return { oldKeyId, newKeyId: teamKey.keyId!, secrets: 2 };
      }
      case "restart_app":
        location.reload();
        return null;
      case "set_member_name": {
        const name = ((a.name as string | null) ?? "").trim() || null;
        team = { ...team, name, actingAs: name ?? "me" };
        return team;
      }
      case "plugin:event|listen":
        return 1;
      default:
        throw { kind: "not_found", message: `mock: no command ${cmd}` };
    }
  });
}

/** Puts the mocked app in a given state, for looking at one screen (VITE_MOCK_SCENARIO). */
export async function runScenario(name: string | undefined): Promise<void> {
  if (!name) return;
  const st = await import("./state.svelte");
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 50 && !st.app.integrations.data.length; i++) await wait(100);
  if (name === "form") {
    st.app.addRequested++;
    st.navigate("integrations");
    return;
  }
  if (name === "local-api") {
    // Settings › Local API running, one key revoked, a new one just created.
    const { api } = await import("./api");
    await api.startLocalApi(8787);
    await api.createApiKey("Old dashboard");
    await api.revokeApiKey("k0");
    st.navigate("settings");
    for (let i = 0; i < 50 && !document.querySelector('[data-testid="api-key-label"]'); i++) await wait(100);
    const label = document.querySelector<HTMLInputElement>('[data-testid="api-key-label"]')!;
    label.value = "CI screenshots";
    label.dispatchEvent(new Event("input", { bubbles: true }));
    await wait(50);
    document.querySelector<HTMLButtonElement>('[data-testid="api-key-create"]')!.click();
    return;
  }
  if (name === "team-joined") {
    // Settings › Team just joined: the restart notice, and leaving asked to confirm.
    const { api } = await import("./api");
    const { restart } = await import("./restart.svelte");
    await api.joinTeam("postgres://ana:pw@db.example.com:5432/docs", null);
    restart.reason = "Shotkeeper restarts to open the team database.";
    st.navigate("settings");
    for (let i = 0; i < 50 && !document.querySelector('[data-testid="team-leave"]'); i++) await wait(100);
    document.querySelector<HTMLButtonElement>('[data-testid="team-leave"]')!.click();
    return;
  }
  if (name === "team-key") {
    // Settings › Team › Team key: in a team without the key, "Add team key…" open.
    const { api } = await import("./api");
    await api.joinTeam("postgres://ana:pw@db.example.com:5432/docs", null);
    st.navigate("settings");
    for (let i = 0; i < 50 && !document.querySelector('[data-testid="team-key-add"]'); i++) await wait(100);
    document.querySelector<HTMLButtonElement>('[data-testid="team-key-add"]')!.click();
    return;
  }
  if (name === "team-key-rotate") {
    // Settings › Team › Team key held, rotation asked to confirm.
    const { api } = await import("./api");
    await api.joinTeam("postgres://ana:pw@db.example.com:5432/docs", null);
    await api.addTeamKey("a".repeat(64));
    st.navigate("settings");
    for (let i = 0; i < 50 && !document.querySelector('[data-testid="team-key-rotate"]'); i++) await wait(100);
    document.querySelector<HTMLButtonElement>('[data-testid="team-key-rotate"]')!.click();
    return;
  }
  if (name === "team") {
    // Settings › Team: an unreachable address tested (the mock refuses every one).
    st.navigate("settings");
    for (let i = 0; i < 50 && !document.querySelector('[data-testid="team-address"]'); i++) await wait(100);
    const address = document.querySelector<HTMLInputElement>('[data-testid="team-address"]')!;
    address.value = "postgres://someone:pw@127.0.0.1:9/none";
    address.dispatchEvent(new Event("input", { bubbles: true }));
    await wait(50);
    document.querySelector<HTMLButtonElement>('[data-testid="team-test"]')!.click();
    return;
  }
  const demo = st.app.integrations.data[0];
  if (name === "progress") {
    void st.startImport(demo);
    await wait(700);
    return;
  }
  await st.startImport(demo);
  if (name === "done") return;
  st.navigate("images");
  const first = st.app.images.data[1];
  if (name === "detail" || name === "article") await st.openImage(first.url);
  if (name === "article") {
    const d = st.app.imageDetail.data;
    if (d?.articles[0]) await st.openArticle(d.articles[0].articleId);
  }
  if (name === "articles") st.navigate("articles");
}

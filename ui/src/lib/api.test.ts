import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => {
  class Channel<T> {
    onmessage: (m: T) => void = () => {};
  }
  return {
    invoke: (...args: unknown[]) => invoke(...args),
    Channel,
    convertFileSrc: (p: string) => `http://asset.localhost/${encodeURIComponent(p)}`,
  };
});

const openUrl = vi.fn();
vi.mock("@tauri-apps/plugin-opener", () => ({ openUrl: (u: string) => openUrl(u) }));

const { api, ApiError, openExternal, thumbnailSrc, toApiError } = await import("./api");
const { Channel } = await import("@tauri-apps/api/core");

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue("ok");
});

describe("command bindings", () => {
  const cases: [string, () => Promise<unknown>, string, Record<string, unknown> | undefined][] = [
    ["appInfo", () => api.appInfo(), "app_info", undefined],
    ["providerSpecs", () => api.providerSpecs(), "provider_specs", undefined],
    ["listIntegrations", () => api.listIntegrations(), "list_integrations", undefined],
    ["getIntegration", () => api.getIntegration("i1"), "get_integration", { id: "i1" }],
    ["deleteIntegration", () => api.deleteIntegration("i1"), "delete_integration", { id: "i1" }],
    ["verifyIntegration", () => api.verifyIntegration("i1"), "verify_integration", { id: "i1" }],
    ["cancelImport", () => api.cancelImport("j1"), "cancel_import", { jobId: "j1" }],
    ["listJobs", () => api.listJobs(), "list_jobs", undefined],
    ["jobView", () => api.jobView("j1", "articles"), "job_view", { jobId: "j1", dimension: "articles" }],
    ["jobView default", () => api.jobView("j1"), "job_view", { jobId: "j1", dimension: "images" }],
    ["imageRows", () => api.imageRows("j1"), "image_rows", { jobId: "j1" }],
    ["imageDetail", () => api.imageDetail("j1", "https://x/a.png"), "image_detail", { jobId: "j1", url: "https://x/a.png" }],
    ["articleRows", () => api.articleRows("j1"), "article_rows", { jobId: "j1" }],
    ["articleDetail", () => api.articleDetail("j1", "a1"), "article_detail", { jobId: "j1", articleId: "a1" }],
    ["auditSettings", () => api.auditSettings("i1"), "audit_settings", { integrationId: "i1" }],
    [
      "saveAuditSettings",
      () => api.saveAuditSettings("i1", { heavyKib: 200, oldDays: 90 }),
      "save_audit_settings",
      { integrationId: "i1", settings: { heavyKib: 200, oldDays: 90 } },
    ],
  ];
  it.each(cases)("%s invokes its command with camelCase args", async (_n, fn, cmd, args) => {
    await expect(fn()).resolves.toBe("ok");
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke).toHaveBeenCalledWith(cmd, args);
  });

  it("addIntegration and updateIntegration pass the input object", async () => {
    const input = {
      label: "Support",
      provider: "zendesk" as const,
      baseUrl: null,
      settings: { subdomain: "acme" },
      secret: { kind: "value" as const, value: "tok" },
    };
    await api.addIntegration(input);
    expect(invoke).toHaveBeenLastCalledWith("add_integration", { input });
    const upd = { label: "S", baseUrl: "http://127.0.0.1:1", settings: {}, secret: null };
    await api.updateIntegration("i1", upd);
    expect(invoke).toHaveBeenLastCalledWith("update_integration", { id: "i1", input: upd });
  });

  it("startImport passes a Channel that forwards progress", async () => {
    const seen: unknown[] = [];
    await api.startImport("int1", (p) => seen.push(p), "job9");
    const [cmd, args] = invoke.mock.calls[0] as [string, { integrationId: string; resumeJob: string; onProgress: InstanceType<typeof Channel> }];
    expect(cmd).toBe("start_import");
    expect(args.integrationId).toBe("int1");
    expect(args.resumeJob).toBe("job9");
    expect(args.onProgress).toBeInstanceOf(Channel);
    args.onProgress.onmessage({ jobId: "job9", phase: "images" });
    expect(seen).toEqual([{ jobId: "job9", phase: "images" }]);
  });

  it("startImport without resume sends null", async () => {
    await api.startImport("int1", () => {});
    expect((invoke.mock.calls[0] as [string, { resumeJob: unknown }])[1].resumeJob).toBeNull();
  });
});

describe("errors", () => {
  it("a command error becomes an ApiError with kind and message", async () => {
    invoke.mockRejectedValueOnce({ kind: "bad_credentials", message: "Zendesk refused the credentials" });
    const err = await api.verifyIntegration("i1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: "bad_credentials", message: "Zendesk refused the credentials" });
  });
  it("plain strings and unknown values are wrapped", () => {
    expect(toApiError("boom")).toMatchObject({ kind: "internal", message: "boom" });
    expect(toApiError(undefined).kind).toBe("internal");
  });
});

describe("thumbnailSrc", () => {
  it("goes through the asset protocol", () => {
    expect(thumbnailSrc("/data/thumbnails/ab.png")).toBe("http://asset.localhost/%2Fdata%2Fthumbnails%2Fab.png");
    expect(thumbnailSrc(null)).toBeNull();
  });
});

describe("openExternal", () => {
  it("opens http(s) links with the opener plugin", async () => {
    openUrl.mockResolvedValue(undefined);
    await openExternal("https://help.example.com/a b");
    expect(openUrl).toHaveBeenCalledWith("https://help.example.com/a%20b");
  });
  it("refuses other schemes", async () => {
    openUrl.mockClear();
    await expect(openExternal("file:///etc/passwd")).rejects.toMatchObject({ kind: "invalid" });
    await expect(openExternal("not a url")).rejects.toMatchObject({ kind: "invalid" });
    expect(openUrl).not.toHaveBeenCalled();
  });
});

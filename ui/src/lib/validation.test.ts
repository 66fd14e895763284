import { describe, expect, it } from "vitest";
import {
  emptyForm,
  formFromIntegration,
  hasErrors,
  isHttpUrl,
  scrubSecret,
  toNewIntegration,
  toUpdateIntegration,
  validateForm,
} from "./validation";
import type { IntegrationView, ProviderSpec } from "./types";

const zendesk: ProviderSpec = {
  kind: "zendesk",
  displayName: "Zendesk",
  fields: [
    { key: "subdomain", label: "Subdomain", help: "", required: true, placeholder: "example" },
    { key: "email", label: "Email address", help: "", required: true, placeholder: "agent@example.com" },
  ],
  secretLabel: "API token",
  secretHelp: "",
  defaultBaseUrl: "https://{subdomain}.zendesk.com",
  requestsPerMinute: 200,
  hasImageUpload: true,
};

const s3: ProviderSpec = {
  kind: "s3",
  displayName: "Amazon S3",
  fields: [
    { key: "bucket", label: "Bucket name", help: "", required: true, placeholder: "my-bucket" },
    { key: "endpoint", label: "Endpoint", help: "", required: false, placeholder: "https://s3.amazonaws.com" },
  ],
  secretLabel: "Secret access key",
  secretHelp: "",
  defaultBaseUrl: "",
  requestsPerMinute: 0,
  hasImageUpload: false,
};

describe("validateForm", () => {
  it("names every missing required field the way the provider does", () => {
    const e = validateForm(emptyForm("zendesk"), zendesk, false);
    expect(e.label).toBeTruthy();
    expect(e["settings.subdomain"]).toBe("Subdomain is required.");
    expect(e["settings.email"]).toBe("Email address is required.");
    expect(e.secret).toBe("API token is required.");
    expect(hasErrors(e)).toBe(true);
  });

  it("asks for a provider first", () => {
    expect(validateForm(emptyForm(), undefined, false)).toEqual({
      label: expect.any(String),
      provider: "Choose the help center or storage provider.",
    });
  });

  it("accepts a complete form", () => {
    const f = { ...emptyForm("zendesk"), label: "Support", secret: "tok", settings: { subdomain: "acme", email: "a@b.c" } };
    expect(hasErrors(validateForm(f, zendesk, false))).toBe(false);
  });

  it("checks URLs and the base URL override", () => {
    const f = { ...emptyForm("s3"), label: "S", secret: "k", settings: { bucket: "b", endpoint: "s3.local" } };
    expect(validateForm(f, s3, false)["settings.endpoint"]).toMatch(/full http\(s\) URL/);
    f.settings.endpoint = "http://127.0.0.1:9000";
    f.baseUrl = "ftp://x";
    const e = validateForm(f, s3, false);
    expect(e["settings.endpoint"]).toBeUndefined();
    expect(e.baseUrl).toMatch(/http/);
    expect(isHttpUrl("https://example.com")).toBe(true);
    expect(isHttpUrl("javascript:alert(1)")).toBe(false);
  });

  it("rejects spaces inside a setting", () => {
    const f = { ...emptyForm("s3"), label: "S", secret: "k", settings: { bucket: "my bucket" } };
    expect(validateForm(f, s3, false)["settings.bucket"]).toMatch(/spaces/);
  });

  it("when editing, needs a secret only when replacing it", () => {
    const f = { ...emptyForm("s3"), label: "S", settings: { bucket: "b" }, replaceSecret: false };
    expect(validateForm(f, s3, true).secret).toBeUndefined();
    f.replaceSecret = true;
    expect(validateForm(f, s3, true).secret).toBe("Secret access key is required.");
  });

  it("checks environment variable names", () => {
    const f = { ...emptyForm("s3"), label: "S", settings: { bucket: "b" }, secretMode: "env" as const, secretEnv: "1BAD" };
    expect(validateForm(f, s3, false).secret).toMatch(/environment variable/);
    f.secretEnv = "S3_SECRET";
    expect(validateForm(f, s3, false).secret).toBeUndefined();
  });
});

describe("command inputs", () => {
  const form = {
    ...emptyForm("zendesk"),
    label: "  Support  ",
    secret: " tok ",
    baseUrl: " ",
    settings: { subdomain: " acme ", email: "a@b.c", stray: "x" },
  };
  it("builds NewIntegration with trimmed, known settings only", () => {
    expect(toNewIntegration(form, zendesk)).toEqual({
      label: "Support",
      provider: "zendesk",
      baseUrl: null,
      settings: { subdomain: "acme", email: "a@b.c" },
      secret: { kind: "value", value: "tok" },
    });
  });
  it("UpdateIntegration keeps the stored secret unless replacing", () => {
    expect(toUpdateIntegration({ ...form, replaceSecret: false }, zendesk).secret).toBeNull();
    expect(toUpdateIntegration({ ...form, replaceSecret: false }, zendesk).baseUrl).toBe("");
    expect(toUpdateIntegration({ ...form, replaceSecret: true }, zendesk).secret).toEqual({ kind: "value", value: "tok" });
  });
  it("scrubs the secret after submit", () => {
    const f = { ...form };
    scrubSecret(f);
    expect(f.secret).toBe("");
  });
  it("an edit form never starts with a secret", () => {
    const view: IntegrationView = {
      id: "1",
      label: "Support",
      platform: "helpcenter",
      provider: "zendesk",
      baseUrl: null,
      settings: { subdomain: "acme" },
      secretSource: { kind: "keychain" },
      createdAt: "",
      updatedAt: "",
      hasSecret: true,
      isDemo: false,
    };
    const f = formFromIntegration(view);
    expect(f.secret).toBe("");
    expect(f.replaceSecret).toBe(false);
    expect(f.settings).toEqual({ subdomain: "acme" });
    expect(f.settings).not.toBe(view.settings);
  });
});

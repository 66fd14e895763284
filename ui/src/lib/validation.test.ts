import { describe, expect, it } from "vitest";
import {
  emptyForm,
  errorsFrom,
  formFromIntegration,
  hasErrors,
  scrubSecret,
  toDraft,
  toNewIntegration,
  toUpdateIntegration,
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

describe("what core is asked to check", () => {
  it("never carries the secret, only whether one is typed", () => {
    const f = { ...emptyForm("zendesk"), label: "Support", secret: "tok-123", settings: { subdomain: "acme" } };
    const draft = toDraft(f, false);
    expect(draft).toEqual({
      provider: "zendesk",
      label: "Support",
      baseUrl: "",
      settings: { subdomain: "acme" },
      secret: { kind: "value", filled: true },
    });
    expect(JSON.stringify(draft)).not.toContain("tok-123");
    expect(toDraft({ ...f, secret: "  " }, false).secret).toEqual({ kind: "value", filled: false });
  });

  it("asks for no provider until one is chosen", () => {
    expect(toDraft(emptyForm(), false).provider).toBeNull();
  });

  it("an edit that keeps the stored secret sends none; replacing it sends what is typed", () => {
    const f = { ...emptyForm("s3"), label: "S", settings: { bucket: "b" }, replaceSecret: false };
    expect(toDraft(f, true).secret).toBeNull();
    expect(toDraft({ ...f, replaceSecret: true }, true).secret).toEqual({ kind: "value", filled: false });
    expect(toDraft({ ...f, secretMode: "env" as const, secretEnv: "S3_SECRET" }, false).secret).toEqual({
      kind: "env",
      name: "S3_SECRET",
    });
  });

  it("shows core's first problem at each field", () => {
    const errors = errorsFrom([
      { field: "label", message: "the label is empty" },
      { field: "settings.subdomain", message: "first" },
      { field: "settings.subdomain", message: "second" },
    ]);
    expect(errors).toEqual({ label: "The label is empty", "settings.subdomain": "First" });
    expect(hasErrors(errors)).toBe(true);
    expect(hasErrors(errorsFrom([]))).toBe(false);
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

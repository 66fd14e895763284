// The integration form: its state, what core is asked to check as you type
// (core owns every rule), and turning it into the command input. The secret
// lives here only until submit.

import { asSentence } from "./format";
import type {
  FieldProblem,
  IntegrationDraft,
  IntegrationView,
  NewIntegration,
  ProviderKind,
  ProviderSpec,
  SecretInput,
  UpdateIntegration,
} from "./types";

export type SecretMode = "value" | "env";

export interface IntegrationForm {
  label: string;
  provider: ProviderKind | "";
  baseUrl: string;
  settings: Record<string, string>;
  secretMode: SecretMode;
  secret: string;
  secretEnv: string;
  /** Editing: whether the person chose to replace the stored secret. */
  replaceSecret: boolean;
}

export type FormErrors = Partial<Record<string, string>>;

export function emptyForm(provider: ProviderKind | "" = ""): IntegrationForm {
  return {
    label: "",
    provider,
    baseUrl: "",
    settings: {},
    secretMode: "value",
    secret: "",
    secretEnv: "",
    replaceSecret: true,
  };
}

export function formFromIntegration(i: IntegrationView): IntegrationForm {
  return {
    label: i.label,
    provider: i.provider,
    baseUrl: i.baseUrl ?? "",
    settings: { ...i.settings },
    secretMode: i.secretSource.kind === "env" ? "env" : "value",
    secret: "",
    secretEnv: i.secretSource.kind === "env" ? i.secretSource.name : "",
    replaceSecret: false,
  };
}

/**
 * The form as core checks it: the secret is never in it, only whether one
 * is typed (an edit that keeps the stored secret sends none).
 */
export function toDraft(form: IntegrationForm, editing: boolean): IntegrationDraft {
  const keepsSecret = editing && !form.replaceSecret;
  return {
    provider: form.provider || null,
    label: form.label,
    baseUrl: form.baseUrl,
    settings: { ...form.settings },
    secret: keepsSecret
      ? null
      : form.secretMode === "env"
        ? { kind: "env", name: form.secretEnv }
        : { kind: "value", filled: form.secret.trim().length > 0 },
  };
}

/** Core's problems, keyed by field ("label", "provider", "baseUrl", "secret", "settings.KEY"); the first per field. */
export function errorsFrom(problems: FieldProblem[]): FormErrors {
  const errors: FormErrors = {};
  for (const p of problems) errors[p.field] ??= asSentence(p.message);
  return errors;
}


export function hasErrors(errors: FormErrors): boolean {
  return Object.values(errors).some(Boolean);
}

function cleanSettings(form: IntegrationForm, spec: ProviderSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of spec.fields) {
    const v = (form.settings[f.key] ?? "").trim();
    if (v) out[f.key] = v;
  }
  return out;
}

function secretInput(form: IntegrationForm): SecretInput {
  return form.secretMode === "env"
    ? { kind: "env", name: form.secretEnv.trim() }
    : { kind: "value", value: form.secret.trim() };
}

export function toNewIntegration(form: IntegrationForm, spec: ProviderSpec): NewIntegration {
  return {
    label: form.label.trim(),
    provider: spec.kind,
    baseUrl: form.baseUrl.trim() || null,
    settings: cleanSettings(form, spec),
    secret: secretInput(form),
  };
}

export function toUpdateIntegration(form: IntegrationForm, spec: ProviderSpec): UpdateIntegration {
  return {
    label: form.label.trim(),
    // "" clears a previous override.
    baseUrl: form.baseUrl.trim(),
    settings: cleanSettings(form, spec),
    secret: form.replaceSecret ? secretInput(form) : null,
  };
}

/** Forget the secret as soon as it was handed to the backend. */
export function scrubSecret(form: IntegrationForm): void {
  form.secret = "";
}

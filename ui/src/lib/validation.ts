// The integration form: its state, validation as you type, and turning it
// into the command input. The secret lives here only until submit.

import type {
  FieldSpec,
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

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
  } catch {
    return false;
  }
}

const URL_KEY = /(url|endpoint)$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function validateField(field: FieldSpec, raw: string | undefined): string | undefined {
  const v = (raw ?? "").trim();
  if (!v) return field.required ? `${field.label} is required.` : undefined;
  if (URL_KEY.test(field.key) && !isHttpUrl(v)) {
    return `${field.label} must be a full http(s) URL, for example ${field.placeholder || "https://…"}.`;
  }
  if (/\s/.test(v)) return `${field.label} cannot contain spaces.`;
  return undefined;
}

/** Every problem with the form, keyed by field ("label", "provider", "baseUrl", "secret", "settings.KEY"). */
export function validateForm(form: IntegrationForm, spec: ProviderSpec | undefined, editing: boolean): FormErrors {
  const errors: FormErrors = {};
  const label = form.label.trim();
  if (!label) errors.label = "Give the integration a name you will recognise, such as “Support site”.";
  else if (label.length > 100) errors.label = "Keep the name under 100 characters.";

  if (!form.provider || !spec) {
    errors.provider = "Choose the help center or storage provider.";
    return errors;
  }
  for (const field of spec.fields) {
    const e = validateField(field, form.settings[field.key]);
    if (e) errors[`settings.${field.key}`] = e;
  }
  const base = form.baseUrl.trim();
  if (base && !isHttpUrl(base)) errors.baseUrl = "The API base URL must start with http:// or https://.";

  const needSecret = !editing || form.replaceSecret;
  if (needSecret) {
    if (form.secretMode === "value") {
      if (!form.secret.trim()) errors.secret = `${spec.secretLabel} is required.`;
    } else if (!ENV_NAME.test(form.secretEnv.trim())) {
      errors.secret = "Enter the name of an environment variable, such as SHOTKEEPER_TOKEN.";
    }
  }
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

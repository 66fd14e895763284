//! The integration form, checked field by field while it is filled in, by
//! the same rules that saving applies: every front end shows core's verdict
//! beside the field it is about instead of keeping rules of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::model::ProviderKind;
use crate::providers::registry;

/// Longest label accepted: it heads lists and menus.
pub const MAX_LABEL_CHARS: usize = 100;

/// An integration form as it stands, before it is saved.
#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationDraft {
    /// `None` until one is chosen.
    pub provider: Option<ProviderKind>,
    pub label: String,
    /// Empty: the documented API base.
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// `None` when an edit keeps the stored secret.
    pub secret: Option<SecretDraft>,
}

/// What the form holds of the secret: never the secret itself, only
/// whether one was typed, so checking a form moves no secret anywhere.
#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SecretDraft {
    Value { filled: bool },
    Env { name: String },
}

/// One problem with one field of the form. `field` is `provider`, `label`,
/// `baseUrl`, `secret`, or `settings.KEY`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    fn new(field: impl Into<String>, e: CoreError) -> FieldProblem {
        FieldProblem {
            field: field.into(),
            message: e.to_string(),
        }
    }
}

/// Every problem with the form, in form order; empty when it can be saved.
pub fn check_draft(draft: &IntegrationDraft) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if let Some(e) = label_problem(&draft.label) {
        problems.push(FieldProblem::new("label", e));
    }
    let Some(kind) = draft.provider else {
        problems.push(FieldProblem::new(
            "provider",
            CoreError::Invalid(
                "no provider is chosen: choose the help center or the cloud storage to connect"
                    .into(),
            ),
        ));
        return problems;
    };
    for (key, e) in registry::setting_problems(kind, Some(&draft.base_url), &draft.settings) {
        let field = if key == registry::BASE_URL_FIELD {
            key
        } else {
            format!("settings.{key}")
        };
        problems.push(FieldProblem::new(field, e));
    }
    let secret = match &draft.secret {
        Some(SecretDraft::Value { filled }) => {
            secret_value_problem(*filled, registry::spec(kind).secret_label)
        }
        Some(SecretDraft::Env { name }) => env_name_problem(name),
        None => None,
    };
    if let Some(e) = secret {
        problems.push(FieldProblem::new("secret", e));
    }
    problems
}

pub(super) fn label_problem(label: &str) -> Option<CoreError> {
    let label = label.trim();
    let chars = label.chars().count();
    if label.is_empty() {
        Some(CoreError::Invalid(
            "the label is empty: give the integration a name, e.g. \"Acme help center\"".into(),
        ))
    } else if chars > MAX_LABEL_CHARS {
        Some(CoreError::Invalid(format!(
            "the label is {chars} characters long: keep it to {MAX_LABEL_CHARS}"
        )))
    } else {
        None
    }
}

/// `what` names the secret as its provider does ("API token").
pub(super) fn secret_value_problem(filled: bool, what: &str) -> Option<CoreError> {
    (!filled).then(|| CoreError::Invalid(format!("the {what} is empty: paste it here")))
}

/// An environment variable's name as shells accept it.
pub(super) fn env_name_problem(name: &str) -> Option<CoreError> {
    let name = name.trim();
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        Some(CoreError::Invalid(
            "the environment variable name is empty: name the variable that holds the secret, e.g. SHOTKEEPER_TOKEN".into(),
        ))
    } else if !valid {
        Some(CoreError::Invalid(format!(
            "'{name}' is not an environment variable name: use letters, digits and _, not starting with a digit (e.g. SHOTKEEPER_TOKEN)"
        )))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: Option<ProviderKind>) -> IntegrationDraft {
        IntegrationDraft {
            provider: kind,
            label: String::new(),
            base_url: String::new(),
            settings: BTreeMap::new(),
            secret: Some(SecretDraft::Value { filled: false }),
        }
    }

    fn fields(p: &[FieldProblem]) -> Vec<&str> {
        p.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn an_empty_form_asks_for_a_label_and_a_provider_first() {
        let p = check_draft(&draft(None));
        assert_eq!(fields(&p), ["label", "provider"]);
    }

    #[test]
    fn every_missing_field_is_named_with_the_providers_words() {
        let p = check_draft(&draft(Some(ProviderKind::Zendesk)));
        assert_eq!(
            fields(&p),
            ["label", "settings.subdomain", "settings.email", "secret"]
        );
        let spec = registry::spec(ProviderKind::Zendesk);
        let secret = &p[3].message;
        assert!(secret.contains(spec.secret_label), "{secret}");
        assert!(p[1].message.contains("Subdomain"), "{}", p[1].message);
    }

    #[test]
    fn a_complete_form_has_no_problem() {
        let mut d = draft(Some(ProviderKind::Zendesk));
        d.label = "Support".into();
        d.settings.insert("subdomain".into(), "acme".into());
        d.settings.insert("email".into(), "a@acme.com".into());
        d.secret = Some(SecretDraft::Value { filled: true });
        assert_eq!(check_draft(&d), vec![]);
        // An edit that keeps the stored secret needs none.
        d.secret = None;
        assert_eq!(check_draft(&d), vec![]);
    }

    #[test]
    fn a_base_url_waives_the_settings_that_only_fill_the_documented_one() {
        let mut d = draft(Some(ProviderKind::Helpjuice));
        d.label = "Docs".into();
        d.secret = Some(SecretDraft::Value { filled: true });
        assert_eq!(fields(&check_draft(&d)), ["settings.account"]);
        d.base_url = "https://docs.example.com".into();
        assert_eq!(check_draft(&d), vec![]);
        d.base_url = "ftp://docs.example.com".into();
        assert_eq!(fields(&check_draft(&d)), ["baseUrl"]);
    }

    #[test]
    fn labels_secrets_and_variable_names_follow_the_save_rules() {
        let mut d = draft(Some(ProviderKind::Helpjuice));
        d.settings.insert("account".into(), "acme".into());
        d.label = "x".repeat(MAX_LABEL_CHARS + 1);
        d.secret = Some(SecretDraft::Env {
            name: "1TOKEN".into(),
        });
        let p = check_draft(&d);
        assert_eq!(fields(&p), ["label", "secret"]);
        assert!(p[0].message.contains("101 characters"), "{}", p[0].message);
        assert!(p[1].message.contains("'1TOKEN'"), "{}", p[1].message);
        d.label = "x".repeat(MAX_LABEL_CHARS);
        d.secret = Some(SecretDraft::Env {
            name: "HELPJUICE_TOKEN".into(),
        });
        assert_eq!(check_draft(&d), vec![]);
    }

    #[test]
    fn a_malformed_setting_is_told_at_its_field() {
        let mut d = draft(Some(ProviderKind::Freshdesk));
        d.label = "Support".into();
        d.secret = Some(SecretDraft::Value { filled: true });
        d.settings
            .insert("domain".into(), "acme.zendesk.com".into());
        let p = check_draft(&d);
        assert_eq!(fields(&p), ["settings.domain"]);
        assert!(
            p[0].message.contains("acme.zendesk.com"),
            "{}",
            p[0].message
        );
    }
}

//! The one mapping from core's error to what the UI receives.

use serde::Serialize;
use shotkeeper_core::CoreError;

/// Every command error as the UI sees it: the core error kind (for styling
/// and deciding the way out), its message (what went wrong, what to do) and,
/// when core found one setting wrong, that setting's key so the form shows
/// the message beside its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CommandError {
    pub kind: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub setting: Option<String>,
}

impl CommandError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        CommandError {
            kind: kind.to_owned(),
            message: message.into(),
            setting: None,
        }
    }
}

impl From<CoreError> for CommandError {
    fn from(e: CoreError) -> Self {
        CommandError {
            setting: e.setting().map(str::to_owned),
            ..CommandError::new(e.kind(), e.to_string())
        }
    }
}

pub type CmdResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_kind_and_message() {
        let e: CommandError = CoreError::NotFound {
            what: "integration 42".into(),
        }
        .into();
        assert_eq!(e.kind, "not_found");
        assert_eq!(e.message, "integration 42 was not found");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "not_found", "message": "integration 42 was not found"})
        );
    }

    #[test]
    fn a_wrong_setting_names_its_field() {
        let e: CommandError = CoreError::InvalidSetting {
            provider: "Zendesk".into(),
            key: "subdomain".into(),
            label: "Subdomain".into(),
            problem: "it is required and empty".into(),
            example: "yourcompany".into(),
        }
        .into();
        assert_eq!(e.setting.as_deref(), Some("subdomain"));
        assert!(!e.message.contains("--set"), "{}", e.message);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["setting"], "subdomain");
    }
}

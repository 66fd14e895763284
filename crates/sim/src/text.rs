//! Word lists and small text helpers for the sample articles: titles, help
//! sentences in three languages, file stems and slugs.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Screens the PNG screenshots show; also their file stems.
pub const SCREENS: &[&str] = &[
    "billing-settings",
    "dashboard-overview",
    "team-members",
    "invoice-history",
    "api-keys",
    "notification-preferences",
    "workspace-settings",
    "sso-configuration",
    "webhook-editor",
    "export-data",
    "audit-log",
    "user-roles",
    "integrations-list",
    "profile-settings",
    "custom-domain",
    "two-factor-setup",
    "plan-comparison",
    "report-builder",
    "import-wizard",
    "search-results",
];

/// Subjects of the JPEG photos.
pub const PHOTOS: &[&str] = &[
    "team-invite",
    "office-meeting",
    "onboarding-welcome",
    "support-team",
    "mobile-app-hero",
    "conference-booth",
];

/// Names of the inline `data:` icons.
pub const ICONS: &[&str] = &["info-icon", "warning-icon"];

const TOPICS: &[&str] = &[
    "billing settings",
    "team invitations",
    "two-factor authentication",
    "API keys",
    "the dashboard",
    "notifications",
    "data export",
    "custom domains",
    "single sign-on",
    "webhooks",
    "integrations",
    "user roles",
    "invoices",
    "workspace settings",
    "the audit log",
];

const TITLE_TEMPLATES: &[&str] = &[
    "How to configure {}",
    "Getting started with {}",
    "Troubleshooting {}",
    "Managing {}",
    "Understanding {}",
    "Set up {}",
];

const EN: &[&str] = &[
    "Open the settings page from the sidebar and choose the section you need.",
    "Changes are saved automatically and apply to every member of the workspace.",
    "Only administrators can change these options; other members see them read-only.",
    "If the button is greyed out, check that your plan includes this feature.",
    "You can undo this at any time from the same page.",
    "The list is sorted by the most recent activity first.",
    "Use the search box at the top to filter the results by name.",
    "Each entry shows who made the change and when.",
    "Click Save to confirm, or Cancel to leave without changes.",
    "It can take up to five minutes for the change to reach every device.",
];

const DE: &[&str] = &[
    "Öffnen Sie die Einstellungen über die Seitenleiste und wählen Sie den gewünschten Bereich.",
    "Änderungen werden automatisch gespeichert und gelten für alle Mitglieder.",
    "Nur Administratoren können diese Optionen ändern.",
    "Klicken Sie auf Speichern, um die Änderung zu bestätigen.",
    "Die Liste ist nach der letzten Aktivität sortiert.",
    "Sie können dies jederzeit auf derselben Seite rückgängig machen.",
];

const ES: &[&str] = &[
    "Abra la página de ajustes desde la barra lateral y elija la sección que necesita.",
    "Los cambios se guardan automáticamente y se aplican a todo el equipo.",
    "Solo los administradores pueden cambiar estas opciones.",
    "Haga clic en Guardar para confirmar el cambio.",
    "La lista está ordenada por la actividad más reciente.",
    "Puede deshacer esto en cualquier momento desde la misma página.",
];

const STEPS_EN: &[&str] = &[
    "Sign in as an administrator.",
    "Go to Settings.",
    "Select the tab you want to change.",
    "Edit the values.",
    "Click Save.",
];

/// A random help-center sentence in `locale` (English for anything unknown).
pub fn sentence(rng: &mut StdRng, locale: &str) -> String {
    let pool = match locale {
        "de" => DE,
        "es" => ES,
        _ => EN,
    };
    pool.choose(rng).expect("non-empty pool").to_string()
}

/// A few numbered steps (English; translations keep the steps' structure).
pub fn steps(rng: &mut StdRng, locale: &str) -> Vec<String> {
    if locale == "en" {
        return STEPS_EN.iter().map(|s| s.to_string()).collect();
    }
    (0..3).map(|_| sentence(rng, locale)).collect()
}

/// An article title in English.
pub fn title(rng: &mut StdRng) -> String {
    let topic = TOPICS.choose(rng).expect("topics");
    let template = TITLE_TEMPLATES.choose(rng).expect("templates");
    capitalize(&template.replace("{}", topic))
}

/// The same title in another language (the subject stays in English, as it
/// usually does for product names).
pub fn translate_title(title: &str, locale: &str) -> String {
    match locale {
        "de" => format!("Anleitung: {title}"),
        "es" => format!("Guía: {title}"),
        _ => title.to_string(),
    }
}

/// A section heading in `locale`.
pub fn heading(section: usize, locale: &str) -> String {
    let en = [
        "Before you start",
        "Step by step",
        "Options",
        "Troubleshooting",
    ];
    let de = [
        "Bevor Sie beginnen",
        "Schritt für Schritt",
        "Optionen",
        "Fehlerbehebung",
    ];
    let es = [
        "Antes de empezar",
        "Paso a paso",
        "Opciones",
        "Solución de problemas",
    ];
    let list = match locale {
        "de" => de,
        "es" => es,
        _ => en,
    };
    list[section % list.len()].to_string()
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `billing-settings-2` -> `Billing settings`: the alt text of a screenshot
/// (numbers and the `old` of archived names dropped).
pub fn alt_for(stem: &str) -> String {
    let words: Vec<&str> = stem
        .split('-')
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()) && *w != "old")
        .collect();
    capitalize(&words.join(" "))
}

/// Lower-case ASCII slug; common accented letters are folded.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ê' => 'e',
            'í' | 'î' => 'i',
            'ó' | 'ö' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            'ß' => 's',
            c => c,
        };
        if folded.is_ascii_alphanumeric() {
            out.push(folded);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_alts() {
        assert_eq!(slugify("Guía: Set up API keys"), "guia-set-up-api-keys");
        assert_eq!(alt_for("billing-settings-2"), "Billing settings");
    }
}

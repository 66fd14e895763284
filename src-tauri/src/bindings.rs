//! The UI's TypeScript types, generated: core's types and the shell's own
//! (`AppInfo`, `CommandError`) go to `ui/src/lib/bindings/`, with
//! `providers.json` (every provider's spec as core sends it, which the
//! browser-only mock serves). They are written by
//! `SHOTKEEPER_WRITE_BINDINGS=1 cargo test -p shotkeeper-desktop bindings`.
//! Without that variable the same test fails when a committed file differs
//! from what the Rust types generate, so a renamed field cannot reach the UI
//! unnoticed.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fs;
    use std::path::{Path, PathBuf};

    use shotkeeper_core::bindings;

    use crate::commands::AppInfo;
    use crate::error::CommandError;

    fn committed_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings")
    }

    fn generate(dir: &Path) {
        bindings::export_core(dir).expect("core bindings");
        bindings::export::<AppInfo>(dir).expect("AppInfo binding");
        bindings::export::<CommandError>(dir).expect("CommandError binding");
        bindings::export::<shotkeeper_server::local::LocalApiStatus>(dir)
            .expect("LocalApiStatus binding");
        bindings::write_index(dir).expect("bindings index");
        bindings::write_provider_specs(dir).expect("provider specs");
    }

    fn files(dir: &Path) -> BTreeMap<String, String> {
        let Ok(entries) = fs::read_dir(dir) else {
            return BTreeMap::new();
        };
        entries
            .map(|e| e.expect("bindings entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "ts" || x == "json"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, fs::read_to_string(&p).expect("binding file"))
            })
            .collect()
    }

    #[test]
    fn bindings_match_the_rust_types() {
        let fresh = tempfile::tempdir().expect("temp dir");
        generate(fresh.path());
        let generated = files(fresh.path());
        assert!(generated.contains_key("UpdatePlan.ts"), "{generated:?}");
        let committed_path = committed_dir();
        if std::env::var_os("SHOTKEEPER_WRITE_BINDINGS").is_some() {
            let _ = fs::remove_dir_all(&committed_path);
            fs::create_dir_all(&committed_path).expect("bindings dir");
            for (name, text) in &generated {
                fs::write(committed_path.join(name), text).expect("write binding");
            }
            return;
        }
        let committed = files(&committed_path);
        let stale: Vec<&String> = generated
            .iter()
            .filter(|(name, text)| committed.get(*name) != Some(*text))
            .map(|(name, _)| name)
            .chain(committed.keys().filter(|n| !generated.contains_key(*n)))
            .collect();
        assert!(
            stale.is_empty(),
            "ui/src/lib/bindings is stale ({stale:?} differ from the Rust types): run \
             SHOTKEEPER_WRITE_BINDINGS=1 cargo test -p shotkeeper-desktop bindings, then commit"
        );
    }
}

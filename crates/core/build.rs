// sqlx's `migrate!` embeds the migration files at compile time; without this
// a migration added to a folder would not rebuild the crate (sqlx's own
// advice: `sqlx migrate build-script`).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations/sqlite");
    println!("cargo:rerun-if-changed=migrations/postgres");
}

//! `team-key check` and `team-key rotate`: what a server or CLI member of a
//! team needs of the team key (core's `team_key`). The desktop app does the
//! same in Settings › Team › Team key.

use shotkeeper_core::team_key::{NewKeyHome, Rotation, TeamKeyStatus};
use shotkeeper_core::App;

use crate::args::TeamKeyCmd;
use crate::commands::{CliError, CliResult};
use crate::exit;
use crate::output::{show, Human};
use crate::pipe::{errln, outln};

pub async fn run(app: &App, cmd: TeamKeyCmd) -> CliResult {
    match cmd {
        TeamKeyCmd::Check { json } => {
            let status = app.team_key_status().await?;
            show(&status, json)?;
            match status.problem {
                Some(problem) if status.team_mode && !status.held => Err(CliError {
                    message: format!("this computer does not hold the team key: {problem}"),
                    code: exit::CREDENTIALS,
                }),
                _ => Ok(()),
            }
        }
        TeamKeyCmd::Rotate { out, json } => {
            let rotation = app.rotate_team_key(NewKeyHome::File(&out)).await?;
            show(&rotation, json)?;
            errln!(
                "the new team key is in {}: every member and server needs it now (give it to servers with --secret-key-file {}; desktop members add it in Settings › Team › Team key)",
                out.display(),
                out.display()
            );
            Ok(())
        }
    }
}

impl Human for TeamKeyStatus {
    fn print(&self) -> CliResult {
        if !self.team_mode {
            outln!("not in team mode: integration secrets stay in this computer's keychain (or the sealed store of --secret-key-file)");
            return Ok(());
        }
        match (&self.key_id, self.held) {
            (Some(id), true) => outln!("team key {id}: held here"),
            (Some(id), false) => outln!("team key {id}: NOT held here"),
            (None, _) => outln!("the team has no key yet"),
        }
        if let (Some(at), Some(by)) = (&self.created_at, &self.created_by) {
            outln!("made by {by} at {at}");
        }
        if let (Some(at), Some(by)) = (&self.rotated_at, &self.rotated_by) {
            outln!("last rotated by {by} at {at}");
        }
        Ok(())
    }
}

impl Human for Rotation {
    fn print(&self) -> CliResult {
        outln!(
            "team key rotated: {} -> {}, {} secret(s) sealed again under the new key",
            self.old_key_id,
            self.new_key_id,
            self.secrets
        );
        Ok(())
    }
}

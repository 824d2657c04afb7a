//! `tidings`: the command line. It parses arguments, calls the subcommand and turns its
//! failure into a one-line error and an exit code (0 success, 1 runtime failure, 2 bad usage or
//! bad input). Each subcommand lives in its own module and calls the same crates as the app.
//!
//! Map:
//! - `args`: the grammar (clap), also the source of completions and the man page.
//! - `cache`: the data directory and the shared mail cache (`<data-dir>/cache`, sled; one process
//!   at a time).
//! - `render`, `mailbox`: `render`, `list`, `show` (no network).
//! - `mark`: `mark --read|--unread|--star|--unstar`, queued in the cache, then pushed by a sync
//!   of the folder.
//! - `relocate`: `delete` and `move`, queued in the cache (the messages leave the folder at once),
//!   then replayed by a sync of the folder.
//! - `import`: `import`, .eml files cached in a local account's folder (no server).
//! - `account`: `account add|list|remove`; server settings in the cache, passwords in the OS keyring
//!   (service `org.tidings.desktop`, keyed by account id) and nowhere else.
//! - `sync`: `sync [--watch]` with `tidings-imap` on a current-thread tokio runtime.
//! - `probe`: `probe`, a server's dialect with its evidence and the ID we send.
//! - `voicemail`: `voicemail list|decode|import-sms` with `tidings-voicemail`: the cached
//!   voicemails (duration declared or measured, heard = `\Seen`), any voicemail audio or voicemail
//!   .eml to WAV (corrupt AMR refused, not decoded to noise), a carrier's STATUS/SYNC SMS with every
//!   field named and passwords redacted (creating the account from it comes later).
//! - `server`: what the IMAP subcommands share (server address, certificate pin, password input,
//!   runtime, IMAP errors as one-line failures).
//! - `failure`: the two kinds of failure and their exit codes.
//!
//! A password is read from `TIDINGS_PASSWORD` or standard input, handed to the keyring and to the
//! IMAP login, and never printed or written to a file.

mod account;
mod args;
mod cache;
mod failure;
mod import;
mod mailbox;
mod mark;
mod probe;
mod relocate;
mod render;
mod server;
mod sync;
mod voicemail;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{AccountCommand, Cli, Command, VoicemailCommand};
use crate::failure::Failure;

fn main() -> ExitCode {
    end_quietly_when_the_reader_leaves();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Render(args) => render::run(args),
        Command::List(args) => mailbox::list(cli.data_dir.as_deref(), args),
        Command::Show(args) => mailbox::show(cli.data_dir.as_deref(), args),
        Command::Mark(args) => mark::run(cli.data_dir.as_deref(), args),
        Command::Delete { expunge_without_trash, messages } => {
            let delete = relocate::Relocation::Delete { expunge_without_trash: *expunge_without_trash };
            relocate::run(cli.data_dir.as_deref(), &delete, messages)
        }
        Command::Move { to, messages } => {
            relocate::run(cli.data_dir.as_deref(), &relocate::Relocation::Move { to: to.clone() }, messages)
        }
        Command::Import(args) => import::run(cli.data_dir.as_deref(), args),
        Command::Account(AccountCommand::Add(args)) => account::add(cli.data_dir.as_deref(), args),
        Command::Account(AccountCommand::List { json }) => account::list(cli.data_dir.as_deref(), *json),
        Command::Account(AccountCommand::Remove { id }) => account::remove(cli.data_dir.as_deref(), id),
        Command::Sync(args) => sync::run(cli.data_dir.as_deref(), args),
        Command::Probe(args) => probe::run(args),
        Command::Voicemail(VoicemailCommand::List(args)) => voicemail::list(cli.data_dir.as_deref(), args),
        Command::Voicemail(VoicemailCommand::Decode(args)) => voicemail::decode(args),
        Command::Voicemail(VoicemailCommand::ImportSms(args)) => voicemail::import_sms(args),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "tidings", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map_err(|error| Failure::Runtime(format!("could not write the man page: {error}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("tidings: error: {failure}");
            failure.exit_code()
        }
    }
}

/// A reader that closes the pipe early (`tidings render --json big.eml | head`) ends the
/// program quietly, as it ends other command-line tools: Rust ignores `SIGPIPE`, and the next
/// `println!` would panic on the broken pipe.
#[cfg(unix)]
fn end_quietly_when_the_reader_leaves() {
    // SAFETY: restores the default action of one signal, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn end_quietly_when_the_reader_leaves() {}

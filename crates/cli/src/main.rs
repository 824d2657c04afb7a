//! `tidings`: the command line. It parses arguments, calls the subcommand and turns its
//! failure into a one-line error and an exit code (0 success, 1 runtime failure, 2 bad usage or
//! bad input). Each subcommand lives in its own module and calls the same crates as the app.

mod args;
mod cache;
mod failure;
mod mailbox;
mod render;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Render(args) => render::run(args),
        Command::List(args) => mailbox::list(cli.data_dir.as_deref(), args),
        Command::Show(args) => mailbox::show(cli.data_dir.as_deref(), args),
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

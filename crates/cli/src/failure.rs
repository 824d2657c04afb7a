//! How a subcommand fails: the two kinds the exit code tells apart.

use std::fmt;
use std::process::ExitCode;

/// A failed subcommand, with a one-line message saying what went wrong and what to do.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or bad input (exit code 2): fix the command or the file.
    BadInput(String),
    /// The command was right but something around it failed (exit code 1): a server, the cache, the disk.
    Runtime(String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::BadInput(_) => ExitCode::from(2),
            Failure::Runtime(_) => ExitCode::from(1),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (Failure::BadInput(message) | Failure::Runtime(message)) = self;
        // One line, whatever the message holds.
        formatter.write_str(&message.replace(['\n', '\r'], " "))
    }
}

//! The command line's grammar (clap), also the source of the shell completions and man page.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "tidings",
    version,
    about = "Tidings from the command line: render quote headers and read the mail cache",
    after_help = "Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input."
)]
pub struct Cli {
    /// The Tidings data directory (default: the app's own, so the app and the command line share one cache).
    #[arg(long, global = true, env = "TIDINGS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Find the quote headers of a message or body and render them as uniform blocks.
    #[command(after_help = "Examples:\n  \
        tidings render thread.eml\n  \
        tidings render --json thread.eml | jq '.quotes[].email'\n  \
        pbpaste | tidings render --input-format text --json -\n  \
        tidings render --masks ~/my-masks --json reply.html")]
    Render(RenderArgs),
    /// List the cached messages of a folder, newest first.
    #[command(after_help = "Examples:\n  tidings list\n  tidings list --account demo --folder INBOX --json")]
    List(ListArgs),
    /// Show one cached message.
    #[command(after_help = "Examples:\n  \
        tidings show --uid 4\n  \
        tidings show --folder INBOX --uid 4 --rendered --json")]
    Show(ShowArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  tidings completions bash > ~/.local/share/bash-completion/completions/tidings"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  tidings man > ~/.local/share/man/man1/tidings.1")]
    Man,
}

/// What the input of `render` is.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// An .eml if it starts with mail header fields, else HTML if it has tags, else plain text.
    Auto,
    /// A whole message (RFC 5322 / MIME).
    Eml,
    /// An HTML body.
    Html,
    /// A plain-text body.
    Text,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Print one JSON object: {"top", "quotes", "html"}.
    #[arg(long)]
    pub json: bool,
    /// What FILE holds.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// A directory of mask files (*.toml) layered over the built-in ones; a file with a built-in id replaces it.
    #[arg(long, value_name = "DIR")]
    pub masks: Option<PathBuf>,
    /// The input file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Which folder of which account.
#[derive(Args, Debug)]
pub struct FolderArgs {
    /// The account id (default: the only account there is).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The folder.
    #[arg(long, value_name = "FOLDER", default_value = "INBOX")]
    pub folder: String,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// The message's UID in the folder.
    #[arg(long, value_name = "N")]
    pub uid: u32,
    /// Show the mask engine's uniform rendering: every quote header read out.
    #[arg(long)]
    pub rendered: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

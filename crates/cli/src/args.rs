//! The command line's grammar (clap), also the source of the shell completions and man page.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "tidings",
    version,
    about = "Tidings from the command line: accounts, IMAP sync and probe, the mail cache, quote headers, voicemail",
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
    /// Mark cached messages read, unread, starred or unstarred, here and (unless --offline) on the
    /// server.
    #[command(after_help = "The change is written to the cache at once, message by message, together \
        with a note that it still has to reach the server; then the folder is synced, which pushes it. \
        With --offline it waits for the next `tidings sync` or the app; if the server cannot be reached the \
        command fails (exit code 1) and the change stays queued the same way. \
        Local accounts and the demo have no server: there the change is only local.\n\n\
        Examples:\n  \
        tidings mark --read 4 5 9\n  \
        tidings mark --star 4\n  \
        tidings mark --unread --account work --folder Archive 120\n  \
        tidings mark --read --offline --json $(tidings list --json | jq '.[] | select(.seen | not) | .uid')")]
    Mark(MarkArgs),
    /// Delete cached messages: moved to the account's Trash, or expunged when there is none or
    /// they are in it; gone from the folder at once, on the server with the folder's next sync.
    #[command(
        after_help = "Each message leaves the cache's folder at once, together with a note of what the \
        server still has to do; then the folder is synced, which does it (unless --offline). Deleting \
        in Trash marks the message \\Deleted and expunges it. Trash is known once the app has listed the \
        account's folders; where it is not, delete refuses unless --expunge-without-trash allows deleting \
        for good.\n\n\
        Examples:\n  \
        tidings delete 4 5\n  \
        tidings delete --folder Trash --offline 12\n  \
        tidings delete --expunge-without-trash 7"
    )]
    Delete {
        /// Where no Trash folder is known, expunge the messages (deleted for good) instead of
        /// refusing.
        #[arg(long)]
        expunge_without_trash: bool,
        #[command(flatten)]
        messages: RelocateArgs,
    },
    /// Move cached messages to another folder of the same account; the destination shows them
    /// after its next sync.
    #[command(after_help = "Examples:\n  \
        tidings move --to Archive 4 5\n  \
        tidings move --folder Archive --to INBOX --offline --json 7")]
    Move {
        /// The destination folder, as the server spells it (see `tidings sync` or `list --json`).
        #[arg(long, value_name = "FOLDER")]
        to: String,
        #[command(flatten)]
        messages: RelocateArgs,
    },
    /// Cache .eml files in a local folder (no server), creating the account and the folder if missing.
    #[command(
        after_help = "The files go into a local account (default id `local`), which no sync touches; \
        an account that syncs with a server, or the demo, is refused. Every file is checked before anything \
        is written: one that is not an e-mail message stops the import with nothing cached.\n\n\
        Examples:\n  \
        tidings import saved/*.eml\n  \
        tidings import --account archive --folder 2019 --json old/*.eml"
    )]
    Import(ImportArgs),
    /// Add, list and remove mail accounts (passwords go to the OS keyring only).
    #[command(
        subcommand,
        after_help = "Examples:\n  \
            tidings account add --email ann@example.org --server imap.example.org\n  \
            tidings account list --json\n  \
            tidings account remove ann@example.org"
    )]
    Account(AccountCommand),
    /// Fetch new mail, flag changes and expunges of an account's folders into the cache.
    #[command(after_help = "The password comes from the OS keyring (stored by `tidings account add`).\n\n\
        Examples:\n  \
        tidings sync\n  \
        tidings sync --account work --folder INBOX --folder Archive --json\n  \
        tidings sync --watch | jq -c 'select(.kind == \"synced\")'")]
    Sync(SyncArgs),
    /// Connect to an IMAP server and show its dialect with the evidence, and the ID we send.
    #[command(after_help = "Without --user nothing is sent but our ID: no login, no password. With --user \
        the probe logs in (password from TIDINGS_PASSWORD or the first line of standard input) and shows \
        what the server says after login.\n\n\
        Examples:\n  \
        tidings probe --server imap.example.org\n  \
        tidings probe --server mail.example.org:143 --security starttls --json\n  \
        tidings probe --server 192.168.1.5:143 --security plain --allow-plaintext\n  \
        TIDINGS_PASSWORD=… tidings probe --server imap.example.org --user ann@example.org")]
    Probe(ProbeArgs),
    /// Visual voicemail: the voicemails in the cache, voicemail audio to WAV, a carrier's VVM SMS.
    #[command(
        subcommand,
        after_help = "Examples:\n  \
            tidings voicemail list\n  \
            tidings voicemail decode message.eml -o message.wav\n  \
            tidings voicemail import-sms '//VVM:STATUS:st=R;rc=0;srv=imap.example.net;u=1555;pw=…'"
    )]
    Voicemail(VoicemailCommand),
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
    /// By FILE's extension (.eml, .html/.htm, .txt); without one, an .eml if it starts with mail
    /// header fields, else HTML if it has tags, else plain text.
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
pub struct ImportArgs {
    /// The local account (created if missing).
    #[arg(long, value_name = "ID", default_value = "local")]
    pub account: String,
    /// The folder (created if missing).
    #[arg(long, value_name = "FOLDER", default_value = "INBOX")]
    pub folder: String,
    /// Print one JSON object: {"account", "folder", "uid_validity", "uids"}.
    #[arg(long)]
    pub json: bool,
    /// The .eml files, one message each.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
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

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("change").required(true).multiple(false)))]
pub struct MarkArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Mark the messages read (\Seen).
    #[arg(long, group = "change")]
    pub read: bool,
    /// Mark the messages unread.
    #[arg(long, group = "change")]
    pub unread: bool,
    /// Star the messages (\Flagged).
    #[arg(long, group = "change")]
    pub star: bool,
    /// Remove the messages' star.
    #[arg(long, group = "change")]
    pub unstar: bool,
    /// Only change the cache; the next sync pushes the change.
    #[arg(long)]
    pub offline: bool,
    /// Print one JSON object: {"account", "folder", "seen" or "flagged", "marked", "pushed"}.
    #[arg(long)]
    pub json: bool,
    /// The messages' UIDs in the folder.
    #[arg(value_name = "UID", required = true)]
    pub uids: Vec<u32>,
}

/// Which messages `delete` and `move` take, and how.
#[derive(Args, Debug)]
pub struct RelocateArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Only change the cache; the next sync does the rest.
    #[arg(long)]
    pub offline: bool,
    /// Print one JSON object: {"account", "folder", "queued": [{"uid", "op"}], "moved", "deleted",
    /// "dropped"}.
    #[arg(long)]
    pub json: bool,
    /// The messages' UIDs in the folder.
    #[arg(value_name = "UID", required = true)]
    pub uids: Vec<u32>,
}

#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Add an account: check that it logs in, keep its server settings in the cache and its
    /// password in the OS keyring.
    #[command(
        after_help = "The password is read from TIDINGS_PASSWORD, else from the first line of standard \
        input (asked for without echo on a terminal). It is stored in the OS keyring only, never in a file.\n\
        Without --server the server is looked up from the address (the provider settings Tidings ships, \
        then the usual host names such as imap.DOMAIN) and the first one that logs in is kept.\n\n\
        Examples:\n  \
        tidings account add --email ann@gmail.com\n  \
        tidings account add --email ann@example.org --server imap.example.org\n  \
        printf '%s\\n' \"$PW\" | tidings account add --email ann@example.org \\\n      \
        --server mail.example.org:143 --security starttls\n  \
        tidings account add --email ann@example.org --id home --json \\\n      \
        --server 192.168.1.5:993 --accept-certificate AB:CD:…:EF"
    )]
    Add(AccountAddArgs),
    /// List the accounts: id, address, server, security and user name (never a password).
    #[command(
        after_help = "Examples:\n  tidings account list\n  tidings account list --json | jq -r '.[].id'"
    )]
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Remove an account: its password from the keyring and its cached mail.
    #[command(
        after_help = "The demo account can be removed too; it comes back only when there is no account at all.\n\n\
        Examples:\n  tidings account remove ann@example.org\n  tidings account remove demo"
    )]
    Remove {
        /// The account id (see `tidings account list`).
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// How a connection is protected.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityArg {
    /// Implicit TLS (default port 993).
    Tls,
    /// STARTTLS on a plaintext connection (default port 143); refused if the server does not offer it.
    Starttls,
    /// No encryption: only with --allow-plaintext, and only to loopback or a private LAN (default port 143).
    Plain,
}

/// How to reach and trust the server.
#[derive(Args, Debug)]
pub struct ConnectionArgs {
    /// TLS, STARTTLS or plaintext (default: tls, or what autoconfig found).
    #[arg(long, value_enum)]
    pub security: Option<SecurityArg>,
    /// Allow plaintext IMAP (only to loopback or a private LAN, and only with --security plain).
    #[arg(long)]
    pub allow_plaintext: bool,
    /// Trust exactly the server certificate with this SHA-256 fingerprint (AB:CD:… or 64 hex digits),
    /// e.g. a self-signed one; without it the certificate must be valid for the web.
    #[arg(long, value_name = "SHA256")]
    pub accept_certificate: Option<String>,
}

#[derive(Args, Debug)]
pub struct AccountAddArgs {
    /// The e-mail address.
    #[arg(long, value_name = "ADDRESS")]
    pub email: String,
    /// The IMAP server, HOST or HOST:PORT (default port: 993 for tls, 143 otherwise).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub server: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The login name (default: the e-mail address, or what autoconfig found).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Save without connecting first (the password is still stored).
    #[arg(long)]
    pub no_verify: bool,
    /// The account id used by --account (default: the e-mail address).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Print the added account as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The account id (default: the only account with a server).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// A folder to sync; repeat for several.
    #[arg(long = "folder", value_name = "FOLDER", default_value = "INBOX")]
    pub folders: Vec<String>,
    /// Print one JSON object: {"account", "folders": [...]}.
    #[arg(long)]
    pub json: bool,
    /// After syncing, stay connected (IMAP IDLE), print every change as one JSON line and sync again;
    /// stop with Ctrl-C. One folder only.
    #[arg(long)]
    pub watch: bool,
}

#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The IMAP server, HOST or HOST:PORT (default port: 993 for tls, 143 otherwise).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub server: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Log in as USER too and show what the server says after login.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum VoicemailCommand {
    /// List the cached voicemail-box messages of a folder (voice, video, fax, missed call), newest
    /// first: caller, date, duration, heard, transcription.
    #[command(after_help = "The duration is the declared one (Content-Duration) when the message has it, \
        else measured by decoding the audio. Heard is the message's \\Seen flag.\n\n\
        Examples:\n  \
        tidings voicemail list\n  \
        tidings voicemail list --account demo --folder INBOX --json | jq '.[] | select(.heard | not)'")]
    List(VoicemailListArgs),
    /// Decode voicemail audio (AMR-NB/WB, WAV, MP3, Ogg Vorbis, FLAC, or the audio of a voicemail
    /// .eml) to a 16-bit PCM WAV file.
    #[command(
        after_help = "The format is recognised from the bytes, not the file name. Damage that can be \
        worked around (a truncated last frame, a few stray octets) is reported as a warning on stderr; \
        a file that is not audio, or AMR that is mostly not AMR frames, is refused (exit code 2).\n\n\
        Examples:\n  \
        tidings voicemail decode voicemail.amr -o voicemail.wav\n  \
        tidings voicemail decode --json message.eml -o message.wav\n  \
        curl -s https://example.org/greeting.awb | tidings voicemail decode - -o greeting.wav"
    )]
    Decode(VoicemailDecodeArgs),
    /// Read a carrier's visual-voicemail STATUS or SYNC SMS (OMTP VVM 1.3, CVVM, VVM3) and print every
    /// field by name.
    #[command(after_help = "This prints the fields only; creating the voicemail account from the SMS \
        comes later. Passwords are shown as <redacted> unless --show-password is given.\n\n\
        Examples:\n  \
        tidings voicemail import-sms '//VVM:STATUS:st=R;rc=0;srv=1:vvm.example.net;ipt=993;u=1555;pw=…'\n  \
        pbpaste | tidings voicemail import-sms --json -")]
    ImportSms(VoicemailImportSmsArgs),
}

#[derive(Args, Debug)]
pub struct VoicemailListArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct VoicemailDecodeArgs {
    /// The audio file or voicemail .eml; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The WAV file to write.
    #[arg(short, long, value_name = "OUT.wav")]
    pub output: PathBuf,
    /// Print one JSON object: {"format", "sample_rate", "channels", "duration_seconds", …}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct VoicemailImportSmsArgs {
    /// The SMS text; `-` reads standard input.
    #[arg(value_name = "TEXT")]
    pub text: String,
    /// Show passwords instead of <redacted>.
    #[arg(long)]
    pub show_password: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

//! `tidings account add|list|remove`: accounts in the cache, passwords in the OS keyring.
//!
//! `add` finds the server (`--server`, else `tidings-autoconfig`'s suggestions tried in order, the
//! first that logs in winning), checks the account by logging in (unless `--no-verify`), then
//! stores the password in the keyring under the account id and the server settings in the cache; if the cache write fails
//! the keyring entry is taken back. `remove` deletes the keyring entry first (so a locked keyring
//! leaves everything as it was), then the account with its mailboxes and cached mail.
//! No password is ever printed, logged or written to a file. The work is `tidings-accounts`'s,
//! shared with the app; this module reads the arguments and words the outcome.

use std::io::IsTerminal;
use std::path::Path;

use serde::Serialize;
use tidings_accounts::AccountsError;
use tidings_autoconfig::Source;
use tidings_imap::{Dialect, ImapError};
use tidings_store::{Account, ServerSettings};

use crate::args::AccountAddArgs;
use crate::cache::{self, store_failure};
use crate::failure::Failure;
use crate::server::{self, accept_hint, imap_failure, keychain};

/// One account as `list --json` and `add --json` show it.
#[derive(Serialize)]
struct AccountView {
    id: String,
    display_name: String,
    email: String,
    is_demo: bool,
    /// `host:port`, or null for the demo.
    server: Option<String>,
    /// `tls`, `starttls` or `plain`.
    security: Option<&'static str>,
    username: Option<String>,
    allow_plaintext: bool,
    /// The accepted certificate's SHA-256 as `AB:CD:…`, when one is pinned.
    certificate_sha256: Option<String>,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> AccountView {
        let server = account.server.as_ref();
        AccountView {
            id: account.id.clone(),
            display_name: account.display_name.clone(),
            email: account.email.clone(),
            is_demo: account.is_demo,
            server: server.map(server::address),
            security: server.map(|s| server::security_name(s.security)),
            username: server.map(|s| s.username.clone()),
            allow_plaintext: server.is_some_and(|s| s.allow_plaintext),
            certificate_sha256: server
                .and_then(|s| s.pinned_sha256.as_deref().map(server::colon_fingerprint)),
        }
    }
}

/// `add --json`.
#[derive(Serialize)]
struct AddedAccount {
    #[serde(flatten)]
    account: AccountView,
    /// The login was checked before saving.
    verified: bool,
    /// The dialect the server speaks, when verified.
    dialect: Option<Dialect>,
    /// Where autoconfig found the server (`{"kind": "shipped", "provider"}`, `document` or
    /// `guess`); null when --server was given.
    autoconfig: Option<Source>,
}

pub fn add(data_dir: Option<&Path>, args: &AccountAddArgs) -> Result<(), Failure> {
    let email = args.email.trim().to_owned();
    check_email(&email)?;
    let id = args.id.clone().unwrap_or_else(|| email.to_lowercase());
    check_id(&id)?;
    // Where to connect: --server, else what autoconfig suggests for the address.
    let manual = match &args.server {
        Some(server) => {
            let username = args.user.clone().unwrap_or_else(|| email.clone());
            Some(server::settings_from_args(server, &args.connection, username)?)
        }
        None => None,
    };
    let suggested = match manual {
        Some(_) => Vec::new(),
        None => suggestions(&email, args)?,
    };
    let password = server::read_password()?;

    let store = cache::open(data_dir)?;
    if store.account(&id).map_err(store_failure)?.is_some() {
        return Err(Failure::BadInput(format!(
            "there is already an account {id:?}; remove it first (tidings account remove {id}) or pass --id"
        )));
    }

    let (settings, found_by, dialect) = match manual {
        Some(settings) if args.no_verify => (settings, None, None),
        Some(settings) => {
            let verified = server::runtime()?
                .block_on(tidings_accounts::verify(&settings, &password, &server::connect_options()))
                .map_err(|error| imap_failure(error, accept_hint))?;
            (settings, None, Some(verified.dialect.dialect))
        }
        None => discover(&email, suggested, &password, args.no_verify)?,
    };

    let account = Account {
        id: id.clone(),
        display_name: email.clone(),
        email,
        is_demo: false,
        server: Some(settings),
        voicemail: None,
    };
    tidings_accounts::save(&store, &keychain(), &account, &password).map_err(accounts_failure)?;

    if args.json {
        return print_json(&AddedAccount {
            account: AccountView::from(&account),
            verified: dialect.is_some(),
            dialect,
            autoconfig: found_by,
        });
    }
    let view = AccountView::from(&account);
    let checked = match dialect {
        Some(dialect) => format!("logged in ({})", dialect.name()),
        None => "not verified (--no-verify)".to_owned(),
    };
    let found = match &found_by {
        Some(Source::Shipped { provider }) => format!("; found in the {provider} settings"),
        Some(Source::Document) => "; found in the provider's autoconfig document".to_owned(),
        Some(Source::Guess) => "; found by trying the usual host names".to_owned(),
        None => String::new(),
    };
    println!(
        "Added account {}: {} ({}), user {}; {checked}{found}.",
        view.id,
        view.server.unwrap_or_default(),
        view.security.unwrap_or_default(),
        view.username.unwrap_or_default()
    );
    Ok(())
}

/// The servers autoconfig suggests for the address, as settings to try in order, narrowed to
/// `--security` and with `--user`, `--allow-plaintext` and `--accept-certificate` applied.
fn suggestions(email: &str, args: &AccountAddArgs) -> Result<Vec<(ServerSettings, Source)>, Failure> {
    let pinned_sha256 =
        args.connection.accept_certificate.as_deref().map(server::parse_fingerprint).transpose()?;
    let options = tidings_accounts::CandidateOptions {
        username: args.user.clone(),
        security: args.connection.security.map(server::security_of),
        allow_plaintext: args.connection.allow_plaintext,
        pinned_sha256,
    };
    let suggested = tidings_accounts::candidates(email, &options).map_err(|error| {
        Failure::BadInput(format!("cannot look the server up: {error}; pass --server HOST[:PORT]"))
    })?;
    if suggested.is_empty() {
        return Err(Failure::BadInput(format!(
            "no server with that --security is known for {email}; pass --server HOST[:PORT]"
        )));
    }
    Ok(suggested)
}

/// Tries the suggested servers in order with short timeouts; the first that logs in wins. A
/// wrong password ends the search (the server was found; more guesses would only repeat the
/// refusal). With `--no-verify` the first suggestion is taken as it is.
fn discover(
    email: &str,
    suggested: Vec<(ServerSettings, Source)>,
    password: &str,
    no_verify: bool,
) -> Result<(ServerSettings, Option<Source>, Option<Dialect>), Failure> {
    if no_verify {
        let first = suggested.into_iter().next();
        return first.map(|(settings, source)| (settings, Some(source), None)).ok_or_else(|| {
            Failure::BadInput(format!("no server is known for {email}; pass --server HOST[:PORT]"))
        });
    }
    let options = tidings_accounts::discovery_options(server::connect_options());
    let show_progress = std::io::stderr().is_terminal();
    let trying = |settings: &ServerSettings| {
        if show_progress {
            eprintln!("Trying {} ({})…", server::address(settings), server::security_name(settings.security));
        }
    };
    let found =
        server::runtime()?.block_on(tidings_accounts::discover(email, suggested, password, &options, trying));
    match found {
        Ok((settings, source, verified)) => Ok((settings, Some(source), Some(verified.dialect.dialect))),
        Err(AccountsError::WrongPassword { address, username }) => Err(Failure::Runtime(format!(
            "{} ({address}, user {username}); if the login name is not the address, pass --user",
            ImapError::WrongPassword
        ))),
        Err(AccountsError::UntrustedCertificate { address, fingerprint }) => Err(Failure::Runtime(format!(
            "certificate not trusted (SHA-256 fingerprint {fingerprint}) at {address}: if you trust this \
             server, rerun with --server {address} --accept-certificate {fingerprint}"
        ))),
        Err(AccountsError::NoServerFound { tried, .. }) => Err(Failure::Runtime(format!(
            "no IMAP server found for {email} (tried {}); pass --server HOST[:PORT]",
            tried.join("; ")
        ))),
        Err(other) => Err(accounts_failure(other)),
    }
}

/// A failure of `tidings-accounts` in the command line's terms.
fn accounts_failure(error: AccountsError) -> Failure {
    match error {
        AccountsError::InvalidInput(_) | AccountsError::NotFound(_) | AccountsError::AlreadyExists(_) => {
            Failure::BadInput(error.to_string())
        }
        other => Failure::Runtime(other.to_string()),
    }
}

pub fn list(data_dir: Option<&Path>, json: bool) -> Result<(), Failure> {
    let store = cache::open(data_dir)?;
    let accounts = store.accounts().map_err(store_failure)?;
    if json {
        let views: Vec<AccountView> = accounts.iter().map(AccountView::from).collect();
        return print_json(&views);
    }
    for account in &accounts {
        let view = AccountView::from(account);
        let server = match (&view.server, view.security, &view.username) {
            (Some(server), Some(security), Some(user)) => format!("{server}  {security}  {user}"),
            _ if account.is_demo => "(demo mailbox, no server)".to_owned(),
            _ => "(no server settings)".to_owned(),
        };
        println!("{}  {}  {server}", view.id, view.email);
    }
    Ok(())
}

pub fn remove(data_dir: Option<&Path>, id: &str) -> Result<(), Failure> {
    let store = cache::open(data_dir)?;
    let Some(account) = store.account(id).map_err(store_failure)? else {
        let ids: Vec<String> = store.accounts().map_err(store_failure)?.into_iter().map(|a| a.id).collect();
        return Err(Failure::BadInput(format!("no account {id:?}; the accounts are: {}", ids.join(", "))));
    };
    // The demo has no password; a real account loses its password first, so a locked keyring
    // leaves the account as it was.
    let (_, removal) = tidings_accounts::remove(&store, &keychain(), id).map_err(accounts_failure)?;
    println!(
        "Removed account {id}: {} cached messages in {} folders deleted{}.",
        removal.messages,
        removal.mailboxes,
        if account.is_demo { "" } else { ", password removed from the keyring" }
    );
    Ok(())
}

fn check_email(email: &str) -> Result<(), Failure> {
    match tidings_accounts::is_email(email) {
        true => Ok(()),
        false => Err(Failure::BadInput(format!("--email {email:?} is not an e-mail address"))),
    }
}

/// Ids end up in cache keys and keyring entries: printable, not empty, not huge.
fn check_id(id: &str) -> Result<(), Failure> {
    if !tidings_accounts::is_valid_id(id) {
        return Err(Failure::BadInput(format!(
            "the account id {id:?} must be 1 to 200 printable characters"
        )));
    }
    Ok(())
}

pub fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let json = serde_json::to_string(value)
        .map_err(|error| Failure::Runtime(format!("could not write JSON: {error}")))?;
    println!("{json}");
    Ok(())
}

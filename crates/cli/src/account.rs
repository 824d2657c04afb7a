//! `tidings account add|list|remove`: accounts in the cache, passwords in the OS keyring.
//!
//! `add` checks the account by logging in (unless `--no-verify`), then stores the password in the
//! keyring under the account id and the server settings in the cache; if the cache write fails
//! the keyring entry is taken back. `remove` deletes the keyring entry first (so a locked keyring
//! leaves everything as it was), then the account with its mailboxes and cached mail.
//! No password is ever printed, logged or written to a file.

use std::path::Path;

use serde::Serialize;
use tidings_store::{Account, ServerSettings};

use crate::args::AccountAddArgs;
use crate::cache::{self, store_failure};
use crate::failure::Failure;
use crate::server::{self, accept_hint, imap_failure, keychain, keychain_failure};

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
    dialect: Option<tidings_imap::Dialect>,
}

pub fn add(data_dir: Option<&Path>, args: &AccountAddArgs) -> Result<(), Failure> {
    let email = args.email.trim().to_owned();
    check_email(&email)?;
    let id = args.id.clone().unwrap_or_else(|| email.to_lowercase());
    check_id(&id)?;
    if args.server.is_none() {
        return Err(Failure::BadInput(
            "--server HOST[:PORT] is needed: finding the server from the address is not available yet".into(),
        ));
    }
    let username = args.user.clone().unwrap_or_else(|| email.clone());
    let settings =
        server::settings_from_args(args.server.as_deref().unwrap_or_default(), &args.connection, username)?;
    let password = server::read_password()?;

    let store = cache::open(data_dir)?;
    if store.account(&id).map_err(store_failure)?.is_some() {
        return Err(Failure::BadInput(format!(
            "there is already an account {id:?}; remove it first (tidings account remove {id}) or pass --id"
        )));
    }

    let dialect = if args.no_verify { None } else { Some(verify(&settings, &password)?) };

    let account = Account {
        id: id.clone(),
        display_name: email.clone(),
        email,
        is_demo: false,
        server: Some(settings),
    };
    let keychain = keychain();
    keychain.set(&id, &password).map_err(keychain_failure)?;
    if let Err(error) = store.put_account(&account) {
        // Leave nothing behind that no account refers to.
        let _ = keychain.delete(&id);
        return Err(store_failure(error));
    }

    if args.json {
        return print_json(&AddedAccount {
            account: AccountView::from(&account),
            verified: dialect.is_some(),
            dialect,
        });
    }
    let view = AccountView::from(&account);
    let checked = match dialect {
        Some(dialect) => format!("logged in ({})", dialect_name(dialect)),
        None => "not verified (--no-verify)".to_owned(),
    };
    println!(
        "Added account {}: {} ({}), user {}; {checked}.",
        view.id,
        view.server.unwrap_or_default(),
        view.security.unwrap_or_default(),
        view.username.unwrap_or_default()
    );
    Ok(())
}

/// Logs in once and out again; returns the dialect the server speaks.
fn verify(settings: &ServerSettings, password: &str) -> Result<tidings_imap::Dialect, Failure> {
    let config = server::config_of(settings)?;
    let auth = tidings_imap::Auth::Password(password.to_owned());
    server::runtime()?.block_on(async {
        let session = tidings_imap::connect(&config, &auth, &server::connect_options())
            .await
            .map_err(|error| imap_failure(error, accept_hint))?;
        let dialect = session.dialect().dialect;
        // The login is what was checked; a slow goodbye does not matter.
        let _ = session.logout().await;
        Ok::<_, Failure>(dialect)
    })
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
    if !account.is_demo {
        keychain().delete(id).map_err(keychain_failure)?;
    }
    let removal = store.remove_account(id).map_err(store_failure)?;
    println!(
        "Removed account {id}: {} cached messages in {} folders deleted{}.",
        removal.messages,
        removal.mailboxes,
        if account.is_demo { "" } else { ", password removed from the keyring" }
    );
    Ok(())
}

fn check_email(email: &str) -> Result<(), Failure> {
    let valid = match email.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    match valid {
        true => Ok(()),
        false => Err(Failure::BadInput(format!("--email {email:?} is not an e-mail address"))),
    }
}

/// Ids end up in cache keys and keyring entries: printable, not empty, not huge.
fn check_id(id: &str) -> Result<(), Failure> {
    if id.is_empty() || id.len() > 200 || id.chars().any(char::is_control) {
        return Err(Failure::BadInput(format!(
            "the account id {id:?} must be 1 to 200 printable characters"
        )));
    }
    Ok(())
}

/// The dialect as JSON spells it (`imap4rev1`, `gmail`, …).
pub fn dialect_name(dialect: tidings_imap::Dialect) -> String {
    serde_json::to_value(dialect)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{dialect:?}"))
}

pub fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let json = serde_json::to_string(value)
        .map_err(|error| Failure::Runtime(format!("could not write JSON: {error}")))?;
    println!("{json}");
    Ok(())
}

//! `tidings probe`: what an IMAP server shows (greeting, capabilities, its ID answer), the dialect
//! Tidings detects from it with the evidence, and the ID fields Tidings sends.
//!
//! Without `--user` this is `tidings_imap::probe`: no login, no credential. With `--user` it logs
//! in (password from `TIDINGS_PASSWORD` or standard input) and reports what the server says after
//! login, which is what sync works with. Nothing is stored.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use tidings_imap::{Auth, ClientIdentity, DialectReport};
use tidings_store::ConnectionSecurity;

use crate::account::print_json;
use crate::args::ProbeArgs;
use crate::failure::Failure;
use crate::server::{self, accept_hint, imap_failure};

/// `probe --json`.
#[derive(Serialize)]
struct ProbeView {
    /// `host:port`.
    server: String,
    /// `tls`, `starttls` or `plain`.
    security: &'static str,
    /// Whether this report is from after a login (`--user`).
    logged_in: bool,
    /// TLS protected the connection.
    secure: bool,
    greeting: String,
    capabilities: Vec<String>,
    server_id: Option<BTreeMap<String, String>>,
    /// `dialect`, `extensions`, `evidence`.
    #[serde(flatten)]
    report: DialectReport,
    warnings: Vec<String>,
    /// The ID fields we send, in the order they are sent.
    client_id: OrderedFields,
}

/// Key-value pairs serialized as a JSON object in their own order.
struct OrderedFields(Vec<(String, String)>);

impl Serialize for OrderedFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| (key, value)))
    }
}

pub fn run(args: &ProbeArgs) -> Result<(), Failure> {
    let username = args.user.clone().unwrap_or_default();
    let settings = server::settings_from_args(&args.server, &args.connection, username)?;
    let config = server::config_of(&settings)?;
    let options = server::connect_options();
    let password = match &args.user {
        Some(_) => Some(server::read_password()?),
        None => None,
    };
    let identity: &ClientIdentity = &options.identity;
    let client_id = OrderedFields(identity.fields().to_vec());
    let base = |logged_in, secure, greeting, capabilities, server_id, report, warnings| ProbeView {
        server: server::address(&settings),
        security: server::security_name(settings.security),
        logged_in,
        secure,
        greeting,
        capabilities,
        server_id,
        report,
        warnings,
        client_id,
    };
    let view = server::runtime()?.block_on(async {
        match password {
            None => {
                let probed = tidings_imap::probe(&config, &options)
                    .await
                    .map_err(|error| imap_failure(error, accept_hint))?;
                Ok::<_, Failure>(base(
                    false,
                    probed.secure,
                    probed.greeting,
                    probed.capabilities,
                    probed.server_id,
                    probed.dialect,
                    probed.warnings,
                ))
            }
            Some(password) => {
                let session = tidings_imap::connect(&config, &Auth::Password(password), &options)
                    .await
                    .map_err(|error| imap_failure(error, accept_hint))?;
                let view = base(
                    true,
                    settings.security != ConnectionSecurity::Plain,
                    session.greeting().to_owned(),
                    session.capabilities().to_vec(),
                    session.server_id().map(|id| id.clone().into_iter().collect()),
                    session.dialect().clone(),
                    Vec::new(),
                );
                let _ = session.logout().await;
                Ok(view)
            }
        }
    })?;
    for warning in &view.warnings {
        eprintln!("tidings: warning: {warning}");
    }
    if args.json {
        return print_json(&view);
    }
    let protection = match (view.security, view.secure) {
        ("plain", _) => "plaintext",
        ("starttls", true) => "STARTTLS",
        _ => "TLS",
    };
    println!(
        "Server:      {} ({protection}{})",
        view.server,
        if view.logged_in { ", logged in" } else { "" }
    );
    println!("Greeting:    {}", view.greeting);
    println!("Dialect:     {}", view.report.dialect.name());
    for (index, evidence) in view.report.evidence.iter().enumerate() {
        println!("{}{evidence}", if index == 0 { "  because:   " } else { "             " });
    }
    let extensions: Vec<String> = view
        .report
        .extensions
        .iter()
        .filter_map(|extension| serde_json::to_value(extension).ok())
        .filter_map(|value| value.as_str().map(str::to_owned))
        .collect();
    println!("Extensions:  {}", extensions.join(" "));
    println!("Capability:  {}", view.capabilities.join(" "));
    match &view.server_id {
        Some(fields) => {
            let fields: Vec<String> = fields.iter().map(|(key, value)| format!("{key}={value}")).collect();
            println!("Server ID:   {}", fields.join(", "));
        }
        None => println!("Server ID:   (none)"),
    }
    println!("We send ID:");
    for (key, value) in &view.client_id.0 {
        println!("  {key:<12} {value}");
    }
    Ok(())
}

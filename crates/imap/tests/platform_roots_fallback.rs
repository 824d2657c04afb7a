//! A platform trust store without any usable root (a minimal container): `tidings-imap` falls back
//! to Mozilla's bundled roots and says so with a `tracing` warning. Those do not trust the test CA,
//! so unpinned connections still end in `UntrustedCertificate` with the leaf's fingerprint.
//!
//! One test in its own binary: the roots are loaded once per process, on the first unpinned
//! connection, and the warning goes to this process's global subscriber.

#[path = "support/platform_roots.rs"]
mod support;

use std::fmt::Debug;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tidings_imap::Security;
use tracing::field::Field;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

use support::{assert_untrusted, config, start_tls, trust_only, try_connect};

/// Keeps every event as `LEVEL target: field=value …`.
struct Capture(Arc<Mutex<Vec<String>>>);

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut line = format!("{} {}:", metadata.level(), metadata.target());
        event.record(&mut |field: &Field, value: &dyn Debug| line.push_str(&format!(" {field}={value:?}")));
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(line);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn an_empty_platform_store_falls_back_to_the_bundled_roots_with_a_warning() {
    let events = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::set_global_default(Capture(events.clone())).expect("first global subscriber");
    let dovecot = start_tls();
    // An empty bundle, and no SSL_CERT_DIR: the store has no root at all.
    trust_only(Path::new("/dev/null"));

    let implicit = config(&dovecot, "127.0.0.1", Security::Tls, None);
    assert_untrusted("implicit TLS", &dovecot, try_connect(&dovecot, &implicit).await);
    let starttls = config(&dovecot, "localhost", Security::StartTls, None);
    assert_untrusted("STARTTLS", &dovecot, try_connect(&dovecot, &starttls).await);

    let events = events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    let warning = format!("{} tidings_imap::tls:", Level::WARN);
    let fallbacks: Vec<&String> =
        events.iter().filter(|e| e.starts_with(&warning) && e.contains("webpki-roots")).collect();
    assert_eq!(fallbacks.len(), 1, "one warning for the one load of the store; events: {events:#?}");
}

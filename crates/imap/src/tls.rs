//! Certificate verification for IMAP over TLS: the platform's trust store (the roots the user's
//! browser trusts, including a corporate CA the user installed) or exactly one certificate pinned by
//! SHA-256 after the user accepted its fingerprint.
//!
//! The platform roots come from `rustls-native-certs`: on Linux and the BSDs the OpenSSL locations
//! (`/etc/ssl/certs` and friends, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set), on macOS the
//! keychains, on Windows the system certificate store. They are loaded once per process, on the first
//! connection that needs them (off the async executor, see [`load_platform_roots`]), and kept for
//! every later one: a CA installed while Tidings runs is trusted after a restart. When the platform
//! store yields no usable root (a minimal container without `ca-certificates`), Mozilla's roots from
//! `webpki-roots` are used instead and a `tracing` warning says so.
//!
//! Both verifiers sit inside [`RememberingVerifier`], which keeps the leaf certificate it was shown
//! and whether it rejected it, so that a failed handshake becomes
//! [`crate::ImapError::UntrustedCertificate`] with the fingerprint to show. Nothing here accepts a
//! certificate silently, and handshake signatures are always checked (a pinned certificate proves
//! nothing unless the server also holds its key).
//!
//! The only IO here is reading the platform store; `connect.rs` runs the handshake.

use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    self, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// What the verifier saw during one handshake.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// SHA-256 of the leaf certificate's DER.
    pub(crate) leaf_sha256: Option<[u8; 32]>,
    /// Set when the certificate was refused (as opposed to a network or protocol failure).
    pub(crate) rejected: bool,
}

/// How a server certificate is trusted.
#[derive(Debug)]
enum Trust {
    /// The platform's roots (or the bundled fallback), verified by webpki.
    Roots(Arc<WebPkiServerVerifier>),
    Pinned([u8; 32]),
}

/// A verifier that delegates to [`Trust`] and remembers what it was shown.
#[derive(Debug)]
pub(crate) struct RememberingVerifier {
    trust: Trust,
    provider: Arc<CryptoProvider>,
    seen: Mutex<Seen>,
}

impl RememberingVerifier {
    /// The leaf fingerprint and whether it was rejected, after a handshake attempt.
    pub(crate) fn take_seen(&self) -> Seen {
        match self.seen.lock() {
            Ok(mut seen) => std::mem::take(&mut *seen),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    fn remember(&self, leaf_sha256: [u8; 32], rejected: bool) {
        let mut seen = match self.seen.lock() {
            Ok(seen) => seen,
            Err(poisoned) => poisoned.into_inner(),
        };
        *seen = Seen { leaf_sha256: Some(leaf_sha256), rejected };
    }
}

impl ServerCertVerifier for RememberingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let leaf_sha256: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        let verdict = match &self.trust {
            Trust::Roots(inner) => {
                inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            Trust::Pinned(pin) if *pin == leaf_sha256 => Ok(ServerCertVerified::assertion()),
            Trust::Pinned(_) => {
                Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
            }
        };
        self.remember(leaf_sha256, verdict.is_err());
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The platform's roots (or the bundled fallback), loaded by the first caller in this process.
static PLATFORM_ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();

/// Loads the platform's roots into [`PLATFORM_ROOTS`] on a blocking thread, unless already loaded:
/// reading a few hundred kilobytes of PEM or the macOS keychains must not stall the executor.
/// Should that thread fail, [`client_config`] loads them itself.
pub(crate) async fn load_platform_roots() {
    if PLATFORM_ROOTS.get().is_none() {
        let _ = tokio::task::spawn_blocking(platform_roots).await;
    }
}

/// The roots every unpinned connection of this process trusts.
fn platform_roots() -> Arc<RootCertStore> {
    PLATFORM_ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
            Arc::new(roots_or_fallback(found.certs, &errors).0)
        })
        .clone()
}

/// The usable roots among `certs`, or Mozilla's bundled roots (and `true`) when there is none.
/// `errors` are what went wrong while reading the platform store; they are logged, not fatal.
fn roots_or_fallback(certs: Vec<CertificateDer<'static>>, errors: &[String]) -> (RootCertStore, bool) {
    let found = certs.len();
    let mut roots = RootCertStore::empty();
    let (usable, unusable) = roots.add_parsable_certificates(certs);
    if roots.is_empty() {
        tracing::warn!(
            found,
            unusable,
            ?errors,
            "the platform's trust store has no usable root certificate; falling back to Mozilla's roots \
             built into Tidings (webpki-roots), so CAs installed on this machine are not trusted"
        );
        return (RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }, true);
    }
    if !errors.is_empty() {
        tracing::warn!(usable, ?errors, "parts of the platform's trust store could not be read");
    }
    // Stores often hold a few roots webpki cannot parse (odd encodings); nothing the user can fix.
    tracing::debug!(usable, unusable, "trusting the platform's root certificates");
    (roots, false)
}

/// Builds a client config that trusts the platform's roots, or only `pin` when given.
pub(crate) fn client_config(
    pin: Option<[u8; 32]>,
) -> Result<(ClientConfig, Arc<RememberingVerifier>), String> {
    let provider = Arc::new(ring::default_provider());
    let trust = match pin {
        Some(pin) => Trust::Pinned(pin),
        None => {
            let verifier = WebPkiServerVerifier::builder_with_provider(platform_roots(), provider.clone())
                .build()
                .map_err(|error| error.to_string())?;
            Trust::Roots(verifier)
        }
    };
    let verifier = Arc::new(RememberingVerifier {
        trust,
        provider: provider.clone(),
        seen: Mutex::new(Seen::default()),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((config, verifier))
}

/// Formats a SHA-256 fingerprint as `AA:BB:…`, the way `openssl x509 -fingerprint` prints it.
pub(crate) fn format_fingerprint(sha256: &[u8; 32]) -> String {
    sha256.iter().map(|byte| format!("{byte:02X}")).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use tokio_rustls::rustls::pki_types::pem::PemObject;

    use super::*;

    /// A self-signed P-256 root, `CN=Tidings unit-test root`, valid until 2126.
    const UNIT_TEST_ROOT: &str = "-----BEGIN CERTIFICATE-----
MIIBmDCCAT+gAwIBAgIUDtyrCqqnkb+ezuTIun30yVyYjXowCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWVGlkaW5ncyB1bml0LXRlc3Qgcm9vdDAgFw0yNjExMjYwMjAy
NDFaGA8yMTI2MTEwMjAyMDI0MVowITEfMB0GA1UEAwwWVGlkaW5ncyB1bml0LXRl
c3Qgcm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBNFrNy1T9rMJ4jFp7uX
0XUe49dHtjb/V6w3Q9wQTT09T2+iVUvYGDsC8wQvg8469YGVBg4gRQFu2Ob3PrZG
4c6jUzBRMB0GA1UdDgQWBBTIGvr2rZUcVNLk8H+AyQd72ExcAjAfBgNVHSMEGDAW
gBTIGvr2rZUcVNLk8H+AyQd72ExcAjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
BAMCA0cAMEQCIHWLkYkAYhXBDDkh9ZmW2E1gZnmBneAYec0Oz3uPsW+bAiBrwxjY
Ned/3pynSx92lePnrhFaOGn55uZqM+7a597QZg==
-----END CERTIFICATE-----
";

    fn garbage() -> CertificateDer<'static> {
        CertificateDer::from(vec![0x30, 0x03, 0x01, 0x02, 0x03])
    }

    #[test]
    fn an_empty_platform_store_falls_back_to_mozillas_roots() {
        let (roots, fell_back) = roots_or_fallback(Vec::new(), &[]);
        assert!(fell_back);
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
    }

    #[test]
    fn a_store_of_unusable_certificates_falls_back_too() {
        let errors = ["failed to read PEM from file".to_owned()];
        let (roots, fell_back) = roots_or_fallback(vec![garbage(), garbage()], &errors);
        assert!(fell_back);
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
    }

    #[test]
    fn usable_platform_roots_are_trusted_alone() {
        let root = CertificateDer::from_pem_slice(UNIT_TEST_ROOT.as_bytes()).expect("PEM");
        let (roots, fell_back) = roots_or_fallback(vec![garbage(), root], &[]);
        assert!(!fell_back);
        assert_eq!(roots.len(), 1, "only the platform's root, no bundled ones added");
    }

    #[test]
    fn fingerprints_are_colon_separated_upper_case_hex() {
        let mut sha = [0u8; 32];
        sha[0] = 0xab;
        sha[1] = 0x01;
        sha[31] = 0xff;
        let text = format_fingerprint(&sha);
        assert!(text.starts_with("AB:01:00:"), "{text}");
        assert!(text.ends_with(":FF"), "{text}");
        assert_eq!(text.len(), 32 * 3 - 1);
    }
}

//! Certificate verification for IMAP over TLS: the web PKI (Mozilla's roots from `webpki-roots`)
//! or exactly one certificate pinned by SHA-256 after the user accepted its fingerprint.
//!
//! Both verifiers sit inside [`RememberingVerifier`], which keeps the leaf certificate it was shown
//! and whether it rejected it, so that a failed handshake becomes
//! [`crate::ImapError::UntrustedCertificate`] with the fingerprint to show. Nothing here accepts a
//! certificate silently, and handshake signatures are always checked (a pinned certificate proves
//! nothing unless the server also holds its key).
//!
//! This module does no IO; `connect.rs` runs the handshake.

use std::sync::{Arc, Mutex};

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
    WebPki(Arc<WebPkiServerVerifier>),
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
            Trust::WebPki(inner) => {
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

/// Builds a client config that trusts the web PKI, or only `pin` when given.
pub(crate) fn client_config(
    pin: Option<[u8; 32]>,
) -> Result<(ClientConfig, Arc<RememberingVerifier>), String> {
    let provider = Arc::new(ring::default_provider());
    let trust = match pin {
        Some(pin) => Trust::Pinned(pin),
        None => {
            let roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|error| error.to_string())?;
            Trust::WebPki(verifier)
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
    use super::*;

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

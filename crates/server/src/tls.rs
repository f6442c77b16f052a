//! TLS client settings for the connections the server opens itself (the city's directory,
//! PostgreSQL): rustls with the ring provider, trusting the city's own CA from a PEM file or
//! else the system's CAs.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

/// The CAs in the PEM file `path`, named in errors by its `setting` (e.g. `LOTSEN_LDAP_CA_FILE`).
pub fn roots_from_file(path: &Path, setting: &str) -> Result<rustls::RootCertStore, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "{setting} {} ist kein lesbares Zertifikat (PEM): {e}",
            path.display()
        )
    };
    let pem = std::fs::read(path).map_err(|e| unreadable(&e))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| unreadable(&e))?;
        roots.add(cert).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(unreadable(&"keine Zertifikate darin"));
    }
    Ok(roots)
}

/// The CAs the system trusts (`/etc/ssl/certs`); unreadable ones are skipped.
pub fn system_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::warn!(error = %e, "a system CA certificate could not be read");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::warn!(added, ignored, "system CA certificates ignored");
    }
    roots
}

/// A client configuration trusting `roots`, without a client certificate.
pub fn client_config(roots: rustls::RootCertStore) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

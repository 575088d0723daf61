//! The TLS client setup shared by everything arshjul connects to over TLS (OIDC providers,
//! SMTP servers with STARTTLS): rustls with ring and the webpki roots, built once.

use std::sync::{Arc, OnceLock};

/// The client configuration: the Mozilla root certificates, the safe default protocol versions.
pub fn client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = match rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions() {
                Ok(b) => b.with_root_certificates(roots).with_no_client_auth(),
                // ring's provider supports the default versions; this is not reached.
                Err(_) => rustls::ClientConfig::builder().with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth(),
            };
            Arc::new(config)
        })
        .clone()
}

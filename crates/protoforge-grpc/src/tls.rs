//! TLS on rustls (with the `ring` provider): server and client
//! configurations from PEM, ALPN `h2`, and optional client certificates
//! (mutual TLS).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use crate::error::{Error, ErrorKind};

const ALPN_H2: &[u8] = b"h2";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::with_source(ErrorKind::Tls, format!("reading {what}"), e))?;
    if certs.is_empty() {
        return Err(Error::new(
            ErrorKind::Tls,
            format!("{what}: no PEM certificate found"),
        ));
    }
    Ok(certs)
}

fn key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, Error> {
    PrivateKeyDer::from_pem_slice(pem)
        .map_err(|e| Error::with_source(ErrorKind::Tls, "reading the private key", e))
}

fn roots(pem: &[u8], what: &str) -> Result<rustls::RootCertStore, Error> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in certs(pem, what)? {
        roots
            .add(cert)
            .map_err(|e| Error::with_source(ErrorKind::Tls, format!("adding {what}"), e))?;
    }
    Ok(roots)
}

/// A server's TLS identity and client-certificate policy.
#[derive(Clone, Debug)]
pub struct ServerTlsConfig {
    cert_chain_pem: Vec<u8>,
    key_pem: Vec<u8>,
    client_ca_pem: Option<Vec<u8>>,
    client_auth_optional: bool,
}

impl ServerTlsConfig {
    /// A server identity: its certificate chain and private key, in PEM.
    pub fn new(cert_chain_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> Self {
        ServerTlsConfig {
            cert_chain_pem: cert_chain_pem.into(),
            key_pem: key_pem.into(),
            client_ca_pem: None,
            client_auth_optional: false,
        }
    }

    /// Verify client certificates against these CA certificates (PEM).
    /// Clients must then present one, unless
    /// [`client_auth_optional`](Self::client_auth_optional) is set.
    pub fn client_ca(mut self, ca_pem: impl Into<Vec<u8>>) -> Self {
        self.client_ca_pem = Some(ca_pem.into());
        self
    }

    /// Accept clients without certificates (those that present one are
    /// still verified).
    pub fn client_auth_optional(mut self, optional: bool) -> Self {
        self.client_auth_optional = optional;
        self
    }

    pub(crate) fn build(&self) -> Result<Arc<rustls::ServerConfig>, Error> {
        let builder = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::with_source(ErrorKind::Tls, "TLS protocol versions", e))?;
        let builder = match &self.client_ca_pem {
            None => builder.with_no_client_auth(),
            Some(pem) => {
                let roots = Arc::new(roots(pem, "the client CA certificates")?);
                let verifier =
                    rustls::server::WebPkiClientVerifier::builder_with_provider(roots, provider());
                let verifier = if self.client_auth_optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                let verifier = verifier.build().map_err(|e| {
                    Error::with_source(ErrorKind::Tls, "building the client verifier", e)
                })?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder
            .with_single_cert(
                certs(&self.cert_chain_pem, "the server certificate chain")?,
                key(&self.key_pem)?,
            )
            .map_err(|e| Error::with_source(ErrorKind::Tls, "the server identity", e))?;
        config.alpn_protocols = vec![ALPN_H2.to_vec()];
        Ok(Arc::new(config))
    }
}

/// A client's trust anchors, expected server name and optional identity.
#[derive(Clone, Debug, Default)]
pub struct ClientTlsConfig {
    ca_pem: Option<Vec<u8>>,
    domain: Option<String>,
    identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl ClientTlsConfig {
    /// A configuration with no trust anchors yet: add one with
    /// [`ca_certificate`](Self::ca_certificate).
    pub fn new() -> Self {
        ClientTlsConfig::default()
    }

    /// Trust these CA certificates (PEM) for the server's certificate.
    pub fn ca_certificate(mut self, ca_pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(ca_pem.into());
        self
    }

    /// The name to verify the server's certificate against (and send in
    /// SNI), instead of the endpoint's host: `--server_host_override`.
    pub fn domain_name(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Present this certificate chain and key (PEM) to the server (mTLS).
    pub fn identity(
        mut self,
        cert_chain_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.identity = Some((cert_chain_pem.into(), key_pem.into()));
        self
    }

    pub(crate) fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    pub(crate) fn build(&self) -> Result<Arc<rustls::ClientConfig>, Error> {
        let Some(ca_pem) = &self.ca_pem else {
            return Err(Error::new(
                ErrorKind::Tls,
                "no CA certificate configured: add one with ClientTlsConfig::ca_certificate",
            ));
        };
        let roots = roots(ca_pem, "the CA certificates")?;
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::with_source(ErrorKind::Tls, "TLS protocol versions", e))?
            .with_root_certificates(roots);
        let mut config = match &self.identity {
            None => builder.with_no_client_auth(),
            Some((chain, key_pem)) => builder
                .with_client_auth_cert(certs(chain, "the client certificate chain")?, key(key_pem)?)
                .map_err(|e| Error::with_source(ErrorKind::Tls, "the client identity", e))?,
        };
        config.alpn_protocols = vec![ALPN_H2.to_vec()];
        Ok(Arc::new(config))
    }
}

pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, Error> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_string()).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidEndpoint,
            format!("TLS server name {host:?}"),
            e,
        )
    })
}

/// Fails unless the peer agreed on HTTP/2 (or did not use ALPN at all).
pub(crate) fn check_alpn(protocol: Option<&[u8]>) -> Result<(), Error> {
    match protocol {
        None => Ok(()),
        Some(p) if p == ALPN_H2 => Ok(()),
        Some(p) => Err(Error::new(
            ErrorKind::Tls,
            format!(
                "peer negotiated ALPN {:?}, not h2",
                String::from_utf8_lossy(p)
            ),
        )),
    }
}

//! The small HTTP client OIDC needs (discovery, JWKS, the token exchange): one request per
//! connection over hyper's HTTP/1 client, TLS by rustls (ring) with the webpki roots for
//! https, plain TCP for http (the local test provider). Bounded: a timeout over the whole
//! exchange and a cap on the body. Nothing here is new in the dependency tree (hyper comes
//! with axum; rustls, tokio-rustls and webpki-roots with lettre).

use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper::body::Bytes;
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpStream;

/// The whole exchange (connect, TLS, request, body) must finish within this.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest body read (discovery documents and JWKS are a few KB).
pub const MAX_BODY: usize = 512 * 1024;

/// A response: status and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

fn tls() -> Arc<rustls::ClientConfig> {
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

/// `GET url`.
pub async fn get(url: &str) -> Result<Response, String> {
    fetch(url, None).await
}

/// `POST url` with a form body (`application/x-www-form-urlencoded`).
pub async fn post_form(url: &str, body: String) -> Result<Response, String> {
    fetch(url, Some(body)).await
}

async fn fetch(url: &str, form: Option<String>) -> Result<Response, String> {
    tokio::time::timeout(TIMEOUT, exchange(url, form)).await.unwrap_or_else(|_| Err(format!("{url}: no answer within {TIMEOUT:?}")))
}

async fn exchange(url: &str, form: Option<String>) -> Result<Response, String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(format!("{url}: not an http(s) URL")),
    };
    let host = uri.host().ok_or_else(|| format!("{url}: no host"))?.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let authority = uri.authority().map_or(host.clone(), |a| a.to_string());
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let tcp = TcpStream::connect((host.as_str(), port)).await.map_err(|e| format!("{url}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let (method, body, ctype) = match form {
        Some(b) => ("POST", b, Some("application/x-www-form-urlencoded")),
        None => ("GET", String::new(), None),
    };
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, authority)
        .header(ACCEPT, "application/json")
        .header(USER_AGENT, concat!("arshjul/", env!("CARGO_PKG_VERSION")));
    if let Some(c) = ctype {
        req = req.header(CONTENT_TYPE, c);
    }
    let req = req.body(Full::new(Bytes::from(body))).map_err(|e| format!("{url}: {e}"))?;
    if https {
        let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| format!("{url}: {e}"))?;
        let stream = tokio_rustls::TlsConnector::from(tls()).connect(name, tcp).await.map_err(|e| format!("{url}: TLS: {e}"))?;
        send(url, TokioIo::new(stream), req).await
    } else {
        send(url, TokioIo::new(tcp), req).await
    }
}

async fn send<IO>(url: &str, io: IO, req: Request<Full<Bytes>>) -> Result<Response, String>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.map_err(|e| format!("{url}: {e}"))?;
    let driver = tokio::spawn(conn);
    let result = async {
        let resp = sender.send_request(req).await.map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status().as_u16();
        let body = Limited::new(resp.into_body(), MAX_BODY).collect().await.map_err(|e| format!("{url}: body: {e}"))?.to_bytes();
        Ok(Response { status, body: body.to_vec() })
    }
    .await;
    driver.abort();
    result
}

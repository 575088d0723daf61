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
        let stream = tokio_rustls::TlsConnector::from(crate::tls::client_config())
            .connect(name, tcp)
            .await
            .map_err(|e| format!("{url}: TLS: {e}"))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-shot server on loopback answering `reply` to the first request; its address and
    /// what it received.
    async fn server(reply: Vec<u8>) -> (String, tokio::task::JoinHandle<String>) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let got = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut buf = vec![0; 4096];
            let n = s.read(&mut buf).await.unwrap_or(0);
            let _ = s.write_all(&reply).await;
            let _ = s.shutdown().await;
            String::from_utf8_lossy(&buf[..n]).into_owned()
        });
        (addr, got)
    }

    #[tokio::test]
    async fn posts_a_form_over_http_and_reads_the_answer() {
        let (addr, got) = server(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}".to_vec()).await;
        let r = post_form(&format!("http://{addr}/token?x=1"), "a=1&b=2".into()).await.unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"{\"ok\":true}"[..]));
        let req = got.await.unwrap();
        assert!(req.starts_with("POST /token?x=1 HTTP/1.1\r\n"), "{req}");
        assert!(req.contains(&format!("host: {addr}")) && req.contains("content-type: application/x-www-form-urlencoded"), "{req}");
        assert!(req.ends_with("a=1&b=2"), "{req}");
    }

    #[tokio::test]
    async fn https_is_tls_and_an_oversized_body_or_another_scheme_is_refused() {
        // A server that speaks no TLS: the handshake fails, no panic.
        let (addr, _got) = server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec()).await;
        let e = get(&format!("https://{addr}/x")).await.unwrap_err();
        assert!(e.contains("TLS"), "{e}");
        let big = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{}", MAX_BODY + 1, "x".repeat(MAX_BODY + 1));
        let (addr, _got) = server(big.into_bytes()).await;
        assert!(get(&format!("http://{addr}/jwks")).await.unwrap_err().contains("body"));
        assert!(get("ftp://127.0.0.1/x").await.is_err());
        assert!(get("http://127.0.0.1:1/refused").await.is_err());
    }
}

//! A company network on loopback, for the self-hosted network tests: a
//! test CA (made at run time, never stored) with a server certificate for
//! the names the fake is reached by, and a CONNECT proxy that tunnels every
//! connection to the fake whatever host it names, so that a base URL like
//! `https://bitbucket.internal` resolves only through the proxy.

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Tls;

/// A test CA and a server certificate it signed.
pub struct TestCa {
    /// The CA's certificate (PEM): what a client is told to trust.
    pub ca_pem: String,
    /// The server's chain and key.
    pub server: Tls,
}

/// Makes a CA and a certificate for `names` (`localhost`, `bitbucket.internal`).
pub fn test_ca(names: &[&str]) -> Result<TestCa, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "Acme internal test CA");
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
    let key = KeyPair::generate()?;
    let leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?
        .signed_by(&key, &ca)?;
    Ok(TestCa {
        ca_pem: ca.pem(),
        server: Tls {
            cert_pem: leaf.pem(),
            key_pem: key.serialize_pem(),
        },
    })
}

/// A CONNECT proxy on loopback that sends every tunnel to one upstream and
/// remembers the `host:port` each CONNECT asked for.
pub struct ConnectProxy {
    addr: SocketAddr,
    targets: Arc<Mutex<Vec<String>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

async fn tunnel(
    mut client: tokio::net::TcpStream,
    upstream: SocketAddr,
    targets: Arc<Mutex<Vec<String>>>,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut words = text.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    targets
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(target.to_string());
    let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    }
}

impl ConnectProxy {
    /// Starts on `127.0.0.1`, tunnelling to `upstream`.
    pub fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = targets.clone();
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("connect-proxy".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                    loop {
                        tokio::select! {
                            _ = &mut rx => break,
                            accepted = listener.accept() => {
                                if let Ok((client, _)) = accepted {
                                    tokio::spawn(tunnel(client, upstream, seen.clone()));
                                }
                            }
                        }
                    }
                });
            })?;
        Ok(ConnectProxy {
            addr,
            targets,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The proxy's URL (`http://127.0.0.1:port`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `host:port` of every CONNECT so far.
    pub fn targets(&self) -> Vec<String> {
        self.targets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

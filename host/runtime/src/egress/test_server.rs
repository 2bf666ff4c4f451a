//! A scripted loopback server for the egress tests: raw HTTP answers,
//! and counters of what reached it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;

use url::Url;

/// What a scripted server saw: connections, and the most handled at once.
#[derive(Default)]
pub struct Seen {
    /// Requests answered.
    pub hits: AtomicU32,
    in_flight: AtomicUsize,
    /// The most requests handled at once.
    pub most_in_flight: AtomicUsize,
}

/// Reads one request's head and body (by `content-length`).
fn read_request(stream: &TcpStream) {
    let mut reader = BufReader::new(stream);
    let (mut line, mut length) = (String::new(), 0usize);
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let _ = reader.take(length as u64).read_to_end(&mut Vec::new());
}

/// A loopback server that answers every request with `answer`'s raw HTTP
/// response after `delay`, one thread per connection.
pub fn scripted(
    delay: Duration,
    answer: impl Fn() -> Vec<u8> + Send + Sync + 'static,
) -> (Url, Arc<Seen>) {
    let answer = Arc::new(answer);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let seen = Arc::new(Seen::default());
    let counters = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (seen, answer) = (counters.clone(), answer.clone());
            std::thread::spawn(move || {
                read_request(&stream);
                seen.hits.fetch_add(1, Ordering::SeqCst);
                let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                seen.most_in_flight.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(delay);
                seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = (&stream).write_all(&answer());
            });
        }
    });
    (url, seen)
}

/// A raw HTTP/1.1 response that closes the connection.
pub fn response(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A GET of `url` with no headers.
pub fn get(url: &Url) -> http::Request<Vec<u8>> {
    http::Request::get(url.as_str()).body(Vec::new()).unwrap()
}

/// Limits with two quick retries (a millisecond or a few apart).
pub fn quick_retries() -> super::EgressLimits {
    super::EgressLimits {
        retry: super::RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        ..super::EgressLimits::default()
    }
}

//! A JSON-RPC proxy that breaks a share of the requests on their way to the validator, the ways a
//! public RPC endpoint does: connections cut, HTTP 429 / 503, "node is behind", answers cut short,
//! slow answers, transactions accepted and then dropped, and blockhashes the node does not know.
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// The connection closes before any answer.
    Cut,
    /// HTTP 429 Too Many Requests (Retry-After: 0).
    RateLimited,
    /// HTTP 503 Service Unavailable.
    Unavailable,
    /// JSON-RPC error -32005, "node is behind".
    Behind,
    /// The node's answer, cut off halfway through its body.
    Truncated,
    /// The node's answer, two seconds late.
    Slow,
    /// `sendTransaction` answered with the transaction's signature but never forwarded: the
    /// transaction silently never lands (as a node under load drops it).
    Dropped,
    /// `sendTransaction` refused in preflight with `BlockhashNotFound` (a node behind, or on
    /// another fork, that does not know the blockhash yet): re-sign.
    Expired,
}

const FAULTS: [Fault; 8] = [
    Fault::Cut,
    Fault::RateLimited,
    Fault::Unavailable,
    Fault::Behind,
    Fault::Truncated,
    Fault::Slow,
    Fault::Dropped,
    Fault::Expired,
];

#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub requests: u64,
    pub faults: BTreeMap<String, u64>,
}

impl Counts {
    pub fn faulted(&self) -> u64 {
        self.faults.values().sum()
    }
}

struct State {
    /// Faults go round the kinds in turn, so a run of 7+ faults shows every kind.
    next_kind: usize,
    /// `Dropped` and `Expired` faults that fell on requests sending nothing: the next transactions
    /// sent get them, in order.
    next_sends: std::collections::VecDeque<Fault>,
    counts: Counts,
}

pub struct FaultProxy {
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Listen on a free loopback port; fault `percent` of the requests to `upstream`, the kinds in
    /// turn starting from `seed`.
    pub fn start(upstream: &str, percent: u64, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
        let state = Arc::new(Mutex::new(State {
            next_kind: seed as usize % FAULTS.len(),
            next_sends: std::collections::VecDeque::new(),
            counts: Counts::default(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (s, upstream) = (s.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &upstream, &s, percent);
                });
            }
        });
        Self { url, state, stop }
    }

    pub fn counts(&self) -> Counts {
        self.state.lock().expect("proxy state").counts.clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // wake the accept loop so it sees the flag
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn pick(state: &Mutex<State>, method: &str, percent: u64) -> Option<Fault> {
    let mut s = state.lock().expect("proxy state");
    s.counts.requests += 1;
    let sends = method == "sendTransaction";
    let deferred = if sends { s.next_sends.pop_front() } else { None };
    let fault = if deferred.is_some() {
        deferred
    } else {
        // exactly `percent` of the requests, spread evenly: request n is faulted when
        // floor(n·percent/100) steps up (so any run of 20+ requests is faulted at that rate)
        let n = s.counts.requests;
        if n * percent / 100 == (n - 1) * percent / 100 {
            None
        } else {
            let kind = FAULTS[s.next_kind % FAULTS.len()];
            s.next_kind += 1;
            if matches!(kind, Fault::Dropped | Fault::Expired) && !sends {
                s.next_sends.push_back(kind);
                Some(Fault::Cut)
            } else {
                Some(kind)
            }
        }
    };
    if let Some(f) = fault {
        *s.counts.faults.entry(format!("{f:?}")).or_default() += 1;
    }
    fault
}

/// One request on `conn` (every answer says `Connection: close`).
fn serve(mut conn: TcpStream, upstream: &str, state: &Mutex<State>, percent: u64) -> std::io::Result<()> {
    let body = read_request(&mut conn)?;
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let method = request["method"].as_str().unwrap_or_default().to_string();
    let fault = pick(state, &method, percent);
    let respond = |conn: &mut TcpStream, status: &str, extra: &str, body: &[u8]| -> std::io::Result<()> {
        write!(
            conn,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
            body.len()
        )?;
        conn.write_all(body)
    };
    match fault {
        Some(Fault::Cut) => return conn.shutdown(Shutdown::Both),
        Some(Fault::RateLimited) => return respond(&mut conn, "429 Too Many Requests", "Retry-After: 0\r\n", b""),
        Some(Fault::Unavailable) => return respond(&mut conn, "503 Service Unavailable", "", b"busy"),
        Some(Fault::Behind) => {
            let answer = serde_json::json!({"jsonrpc": "2.0", "id": request["id"],
                "error": {"code": -32005, "message": "Node is behind by 42 slots", "data": {"numSlotsBehind": 42}}});
            return respond(&mut conn, "200 OK", "", answer.to_string().as_bytes());
        }
        Some(Fault::Dropped) => {
            // the signature a node would answer with: the transaction's first, base58 (decoded as
            // a node decodes it: a v1 transaction's signatures follow its message)
            use base64::Engine;
            let wire = request["params"][0].as_str().unwrap_or_default();
            let bytes = base64::engine::general_purpose::STANDARD.decode(wire).unwrap_or_default();
            let first = match bytes.first() {
                // v1 (SIMD-0385): version byte, header (signature count first) … message, then the
                // signatures as a fixed array
                Some(&0x81) => {
                    let count = usize::from(bytes.get(1).copied().unwrap_or(1));
                    bytes.len().checked_sub(64 * count).and_then(|at| bytes.get(at..at + 64))
                }
                // legacy and v0: a short-vec count, then the signatures, then the message
                _ => bytes.get(1..65),
            };
            let signature = bs58::encode(first.unwrap_or_default()).into_string();
            let answer = serde_json::json!({"jsonrpc": "2.0", "id": request["id"], "result": signature});
            return respond(&mut conn, "200 OK", "", answer.to_string().as_bytes());
        }
        Some(Fault::Expired) => {
            let answer = serde_json::json!({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32002,
                "message": "Transaction simulation failed: Blockhash not found",
                "data": {"err": "BlockhashNotFound", "logs": [], "accounts": null, "unitsConsumed": 0}}});
            return respond(&mut conn, "200 OK", "", answer.to_string().as_bytes());
        }
        Some(Fault::Slow) => std::thread::sleep(Duration::from_secs(2)),
        _ => {}
    }
    let (status, answer) = forward(upstream, &body)?;
    if fault == Some(Fault::Truncated) {
        write!(
            conn,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            answer.len()
        )?;
        conn.write_all(&answer[..answer.len() / 2])?;
        return conn.shutdown(Shutdown::Both);
    }
    respond(&mut conn, &status, "", &answer)
}

/// The body of one HTTP request.
fn read_request(conn: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(body)
}

/// POST `body` to the validator; its status line and body.
fn forward(upstream: &str, body: &[u8]) -> std::io::Result<(String, Vec<u8>)> {
    let mut node = TcpStream::connect(upstream)?;
    write!(
        node,
        "POST / HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    node.write_all(body)?;
    let mut reader = BufReader::new(node);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line.trim_end().split_once(' ').map_or("502 Bad Gateway", |(_, status)| status).to_string();
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
            if name.eq_ignore_ascii_case("transfer-encoding") && value.trim().eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let mut answer = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            answer.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = length {
        answer.resize(length, 0);
        reader.read_exact(&mut answer)?;
    } else {
        reader.read_to_end(&mut answer)?;
    }
    Ok((status, answer))
}

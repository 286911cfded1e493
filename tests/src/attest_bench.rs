//! `attest build` at scale: a receipt log of a given length written to a temporary file, then read
//! back into a report, timed, with the process's peak resident memory during the build (Linux:
//! the peak is reset through /proc/self/clear_refs first).
use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;
use tributary_attest::{Receipt, Report, UsageKind, Use};

const POOL: &str = "Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7";

pub struct AttestRun {
    pub receipts: u64,
    pub entries: usize,
    pub file_bytes: u64,
    pub seconds: f64,
    /// Resident memory when the build started, and its peak during the build (KiB).
    pub rss_before_kib: u64,
    pub peak_rss_kib: u64,
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.trim_start_matches(':').split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Build the report of `n` receipts, each using 3 of `entries` contributions.
pub fn build_over(n: u64, entries: u32) -> AttestRun {
    let path = std::env::temp_dir().join(format!("tributary-bench-receipts-{n}.jsonl"));
    {
        let mut out = BufWriter::new(std::fs::File::create(&path).expect("receipt file"));
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..n {
            let mut uses: Vec<Use> = Vec::with_capacity(3);
            while uses.len() < 3 {
                let entry = (next() % u64::from(entries)) as u32;
                if uses.iter().all(|u| u.entry != entry) {
                    let score = format!("0.{:06}", next() % 1_000_000).parse().expect("score");
                    uses.push(Use { entry, content_hash: None, score });
                }
            }
            let receipt = Receipt {
                v: 1,
                id: format!("req-{i}"),
                time: 1_764_520_000 + i as i64,
                pool: POOL.into(),
                consumer: format!("consumer-{}", i % 1_000),
                kind: UsageKind::Inference,
                method: None,
                input: None,
                uses,
            };
            out.write_all(&receipt.canonical()).and_then(|_| out.write_all(b"\n")).expect("write");
        }
        out.flush().expect("flush");
    }
    let file_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::write("/proc/self/clear_refs", "5"); // reset VmHWM to the current RSS
    let rss_before_kib = status_kib("VmRSS");
    let started = Instant::now();
    let report = Report::build(BufReader::with_capacity(1 << 20, std::fs::File::open(&path).expect("open")), POOL, 1)
        .expect("report");
    let seconds = started.elapsed().as_secs_f64();
    let peak_rss_kib = status_kib("VmHWM");
    let _ = std::fs::remove_file(&path);
    assert_eq!(report.receipts, n);
    AttestRun { receipts: n, entries: report.weights.len(), file_bytes, seconds, rss_before_kib, peak_rss_kib }
}

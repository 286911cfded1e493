//! A real `solana-test-validator` process with the program preloaded, on loopback, for one test.
//! The tests run inside a private network namespace (scripts/test-rpc), because the validator's
//! RPC, PubSub and faucet listen on 0.0.0.0 whatever --bind-address says.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tributary_crank::rpc::RpcChain;

pub struct TestValidator {
    child: Option<Child>,
    pub ledger: PathBuf,
    pub rpc_port: u16,
    pub url: String,
    base_port: u16,
    /// The slot last seen before a kill: a restart is ready only once it has replayed past it.
    resume_after: u64,
    /// Programs loaded besides Tributary (an application calling it by CPI).
    extra_programs: Vec<(String, PathBuf)>,
}

fn binary() -> PathBuf {
    PathBuf::from(std::env::var_os("TRIBUTARY_TEST_VALIDATOR").expect(
        "TRIBUTARY_TEST_VALIDATOR is not set: run these tests with scripts/test-rpc (it builds the validator and \
         the private network namespace)",
    ))
}

pub fn program_so() -> PathBuf {
    std::env::var_os("TRIBUTARY_SO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/tributary.so"))
}

impl TestValidator {
    /// `solana-test-validator --version`.
    pub fn version(&self) -> String {
        Command::new(binary())
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    }

    /// A fresh ledger under the target dir; `slot` picks a port block so tests never collide.
    pub fn start(name: &str, slot: u16) -> Self {
        Self::start_with(name, slot, &[])
    }

    /// [`TestValidator::start`] with more programs loaded: `(program id, .so path)`.
    pub fn start_with(name: &str, slot: u16, programs: &[(&str, PathBuf)]) -> Self {
        let ledger = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("validator-{name}"));
        let _ = std::fs::remove_dir_all(&ledger);
        let base_port = 20_000 + slot * 200;
        let mut v = Self {
            child: None,
            ledger,
            rpc_port: base_port,
            url: format!("http://127.0.0.1:{base_port}"),
            base_port,
            resume_after: 1,
            extra_programs: programs.iter().map(|(id, path)| (id.to_string(), path.clone())).collect(),
        };
        v.spawn(true);
        v
    }

    fn spawn(&mut self, reset: bool) {
        let so = program_so();
        assert!(so.exists(), "{} missing: scripts/build-sbf", so.display());
        let log = std::fs::File::create(self.ledger.with_extension("log")).expect("validator log");
        let mut cmd = Command::new(binary());
        cmd.arg("--ledger")
            .arg(&self.ledger)
            .args(["--bind-address", "127.0.0.1", "--rpc-port", &self.rpc_port.to_string()])
            .args(["--faucet-port", &(self.base_port + 2).to_string()])
            .args(["--gossip-port", &(self.base_port + 3).to_string()])
            .args(["--dynamic-port-range", &format!("{}-{}", self.base_port + 10, self.base_port + 190)])
            .args(["--bpf-program", &tributary::ID.to_string()])
            .arg(&so)
            // cut each transaction's logs where the runtime's default does (10,000 bytes), as the
            // RPC nodes clients read from do; the test validator keeps them whole otherwise
            .args(["--log-messages-bytes-limit", "10000"])
            .arg("--quiet")
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log));
        for (id, path) in &self.extra_programs {
            cmd.args(["--bpf-program", id]).arg(path);
        }
        if reset {
            cmd.arg("--reset");
        }
        self.child = Some(cmd.spawn().expect("start solana-test-validator"));
        self.wait_healthy();
    }

    fn wait_healthy(&mut self) {
        let started = Instant::now();
        let mut chain = RpcChain::new(&self.url);
        chain.attempts = 1;
        loop {
            if chain.client().get_health().is_ok() {
                // and, after a restart, the ledger replayed: RPC answers while the blockstore is
                // still being processed, from a bank that lacks the later accounts
                if chain.client().get_slot().is_ok_and(|slot| slot > self.resume_after) {
                    return;
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    let log = std::fs::read_to_string(self.ledger.with_extension("log")).unwrap_or_default();
                    panic!("solana-test-validator exited ({status}):\n{log}");
                }
            }
            assert!(started.elapsed() < Duration::from_secs(120), "validator not healthy after 120 s");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Kill the process (as a crash would) and keep the ledger.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let mut chain = self.chain();
            chain.attempts = 1;
            if let Ok(slot) = chain.client().get_slot() {
                self.resume_after = self.resume_after.max(slot);
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start again on the same ledger and ports.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn(false);
    }

    pub fn chain(&self) -> RpcChain {
        RpcChain::new(&self.url)
    }
}

impl Drop for TestValidator {
    fn drop(&mut self) {
        self.kill();
    }
}

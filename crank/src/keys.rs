//! Who signs and where to connect, decided as the Solana CLI decides: its config file
//! (`solana-cli-config`) and its signer URIs (`solana-clap-utils`): a keypair file, `prompt://`
//! (a seed phrase), `stdin://`, `usb://ledger` (built with the `ledger` feature).
use anyhow::{anyhow, Context, Result};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::Path;

/// The defaults `solana config set` keeps (`~/.config/solana/cli/config.yml`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    /// A signer URI: usually a keypair file.
    pub keypair_path: Option<String>,
    pub commitment: Option<String>,
}

impl SolanaConfig {
    /// `path`, or the Solana CLI's default file; a missing default file is no configuration.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let file = match path {
            Some(p) => p.display().to_string(),
            None => match solana_cli_config::CONFIG_FILE.as_ref() {
                Some(default) if Path::new(default).exists() => default.clone(),
                _ => return Ok(Self::default()),
            },
        };
        let config = solana_cli_config::Config::load(&file)
            .map_err(|e| anyhow!("cannot read the Solana CLI config {file}: {e}"))?;
        let given = |v: String| (!v.is_empty()).then_some(v);
        Ok(Self {
            json_rpc_url: given(config.json_rpc_url),
            keypair_path: given(config.keypair_path),
            commitment: given(config.commitment),
        })
    }
}

/// The Solana CLI's default signer, `~/.config/solana/id.json`.
pub fn default_keypair_path() -> String {
    solana_cli_config::Config::default().keypair_path
}

/// The signer a URI names, as `solana -k URI` reads it: a keypair file, `prompt://` (asks for a
/// seed phrase), `stdin://` (a keypair file's JSON on standard input), `usb://ledger[?key=…]`.
pub fn signer_from_uri(uri: &str) -> Result<Box<dyn Signer>> {
    let hint = "pass -k PATH or URI (prompt://, stdin://, usb://ledger), or create a keypair with `solana-keygen new`";
    // the USB stack under `usb://` (rusb, via the Trezor client) panics where no USB bus can be
    // opened (a container, a server): report that as an error like any other
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let found = std::panic::catch_unwind(|| {
        let mut wallet_manager = None;
        solana_clap_utils::keypair::signer_from_path(&clap2::ArgMatches::default(), uri, "keypair", &mut wallet_manager)
            .map_err(|e| e.to_string())
    });
    std::panic::set_hook(quiet);
    match found {
        Ok(Ok(signer)) => Ok(signer),
        Ok(Err(e)) => Err(anyhow!("cannot use the signer {uri}: {e}\n  -> {hint}")),
        Err(_) => Err(anyhow!("cannot use the signer {uri}: no USB bus can be opened on this machine\n  -> {hint}")),
    }
}

/// A keypair file (a JSON array of its 64 bytes, as `solana-keygen` writes it).
pub fn read_keypair(path: &Path) -> Result<Keypair> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes: Vec<u8> =
        serde_json::from_str(&text).with_context(|| format!("{} is not a keypair file", path.display()))?;
    Keypair::try_from(bytes.as_slice()).map_err(|e| anyhow!("{}: {e}", path.display()))
}

pub fn write_keypair(path: &Path, keypair: &Keypair) -> Result<()> {
    let bytes: Vec<u8> = keypair.to_bytes().to_vec();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string(&bytes)?).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_solana_config_set_writes() {
        let dir = std::env::temp_dir().join(format!("tributary-solana-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("config.yml");
        std::fs::write(
            &file,
            "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: \"\"\n\
             keypair_path: /home/op/.config/solana/ops.json\naddress_labels:\n  \"11111111111111111111111111111111\": System Program\n\
             commitment: confirmed\n",
        )
        .expect("write");
        let config = SolanaConfig::load(Some(&file)).expect("loads");
        assert_eq!(config.json_rpc_url.as_deref(), Some("https://api.devnet.solana.com"));
        assert_eq!(config.keypair_path.as_deref(), Some("/home/op/.config/solana/ops.json"));
        assert_eq!(config.commitment.as_deref(), Some("confirmed"));
        assert!(SolanaConfig::load(Some(&dir.join("absent.yml"))).is_err(), "a named file must exist");

        // signer URIs: a file signs as its keypair; a Ledger that is not there is named as such
        let key = Keypair::new();
        let path = dir.join("id.json");
        write_keypair(&path, &key).expect("write keypair");
        let signer = signer_from_uri(&path.display().to_string()).expect("a keypair file");
        assert_eq!(signer.pubkey(), key.pubkey());
        assert!(signer_from_uri(&dir.join("none.json").display().to_string()).is_err());
        let Err(ledger) = signer_from_uri("usb://ledger") else { panic!("no Ledger on this machine") };
        assert!(ledger.to_string().contains("usb://ledger"), "{ledger}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

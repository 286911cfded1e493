//! Keypair files in the Solana CLI's format (a JSON array of the 64 secret-key bytes).
use anyhow::{anyhow, bail, Context, Result};
use solana_keypair::Keypair;
use std::path::{Path, PathBuf};

/// `~/.config/solana/id.json`, the Solana CLI's default.
pub fn default_keypair_path() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".config/solana/id.json")
}

/// The defaults the Solana CLI keeps in `~/.config/solana/cli/config.yml` (`solana config set`).
/// Read by hand: the file is flat `key: value` lines, and the `solana-cli-config` crate would
/// bring a second copy of the Solana SDK (+570 lock-file entries) for three fields.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    pub keypair_path: Option<PathBuf>,
    pub commitment: Option<String>,
}

impl SolanaConfig {
    /// `path`, or the Solana CLI's default file; a missing default file is no configuration.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let default = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/solana/cli/config.yml"));
        let Some(file) = path.map(Path::to_path_buf).or(default) else { return Ok(Self::default()) };
        match std::fs::read_to_string(&file) {
            Ok(text) => Ok(Self::parse(&text)),
            Err(e) if path.is_none() && e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(anyhow!("cannot read the Solana CLI config {}: {e}", file.display())),
        }
    }

    pub fn parse(text: &str) -> Self {
        let mut config = Self::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else { continue };
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            if value.is_empty() || line.starts_with(char::is_whitespace) {
                continue;
            }
            match key.trim() {
                "json_rpc_url" => config.json_rpc_url = Some(value.to_string()),
                "keypair_path" => config.keypair_path = Some(PathBuf::from(value)),
                "commitment" => config.commitment = Some(value.to_string()),
                _ => {}
            }
        }
        config
    }
}

pub fn read_keypair(path: &Path) -> Result<Keypair> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow!(
            "cannot read keypair {}: {e}\n  -> pass --keypair PATH, or create one with `solana-keygen new -o {}`",
            path.display(),
            path.display()
        )
    })?;
    let bytes: Vec<u8> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a keypair file (a JSON array of 64 numbers)", path.display()))?;
    if bytes.len() != 64 {
        bail!("{} holds {} bytes; a keypair file holds 64", path.display(), bytes.len());
    }
    Keypair::try_from(&bytes[..]).map_err(|e| anyhow!("{}: not a valid keypair: {e}", path.display()))
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
        let text = "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: \"\"\n\
                    keypair_path: /home/op/.config/solana/ops.json\naddress_labels:\n  \"11111111111111111111111111111111\": System Program\n\
                    commitment: confirmed\n";
        let config = SolanaConfig::parse(text);
        assert_eq!(config.json_rpc_url.as_deref(), Some("https://api.devnet.solana.com"));
        assert_eq!(config.keypair_path, Some(PathBuf::from("/home/op/.config/solana/ops.json")));
        assert_eq!(config.commitment.as_deref(), Some("confirmed"));
        assert_eq!(SolanaConfig::parse(""), SolanaConfig::default());
    }
}

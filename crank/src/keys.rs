//! Keypair files in the Solana CLI's format (a JSON array of the 64 secret-key bytes).
use anyhow::{anyhow, bail, Context, Result};
use solana_keypair::Keypair;
use std::path::{Path, PathBuf};

/// `~/.config/solana/id.json`, the Solana CLI's default.
pub fn default_keypair_path() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".config/solana/id.json")
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

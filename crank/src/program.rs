//! `tributary program verify`: the deployed program's bytes against a local build, byte for byte,
//! and what its embedded `security.txt` says (placeholders named).
use crate::ops::Outcome;
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;
use tributary_crank::chain::Chain;

/// BPFLoaderUpgradeab1e11111111111111111111111
pub const LOADER_V3: Pubkey = anchor_lang::solana_program::bpf_loader_upgradeable::ID;
/// LoaderV411111111111111111111111111111111111
pub const LOADER_V4: Pubkey = Pubkey::from_str_const("LoaderV411111111111111111111111111111111111");
/// BPFLoader2111111111111111111111111111111111 (not upgradeable: the account holds the ELF itself)
pub const LOADER_V2: Pubkey = Pubkey::from_str_const("BPFLoader2111111111111111111111111111111111");
/// A loader-v3 program account: tag 2 (`Program`), then its program-data address.
const V3_PROGRAM_TAG: u32 = 2;
/// A loader-v3 program-data account: tag 3, deploy slot, optional upgrade authority; the ELF follows.
const V3_PROGRAMDATA_TAG: u32 = 3;
const V3_PROGRAMDATA_HEADER: usize = 4 + 8 + 1 + 32;
/// Loader-v4: deploy slot, authority or next version, status; the ELF follows.
const V4_HEADER: usize = 8 + 32 + 8;
const SECURITY_TXT_BEGIN: &[u8] = b"=======BEGIN SECURITY.TXT V1=======\0";
const SECURITY_TXT_END: &[u8] = b"=======END SECURITY.TXT V1=======\0";
/// RFC 2606's reserved top-level domain: the repository's placeholders live under it.
const PLACEHOLDER_DOMAIN: &str = ".invalid";

/// The deployed ELF of `program_id` and the loader that holds it.
pub fn deployed_elf(chain: &mut dyn Chain, program_id: &Pubkey) -> Result<(Vec<u8>, &'static str)> {
    let account = chain
        .get_account(program_id)
        .map_err(|e| anyhow!("{e}"))?
        .ok_or_else(|| anyhow!("no account at {program_id}"))?;
    if !account.executable && account.owner != LOADER_V4 {
        bail!("{program_id} is not a program (owner {})", account.owner);
    }
    if account.owner == LOADER_V3 {
        let tag = account.data.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let programdata = match (tag, account.data.get(4..36)) {
            (Some(V3_PROGRAM_TAG), Some(key)) => Pubkey::try_from(key).map_err(|e| anyhow!("{e}"))?,
            _ => bail!("{program_id}: not a loader-v3 program account"),
        };
        let data = chain
            .get_account(&programdata)
            .map_err(|e| anyhow!("{e}"))?
            .ok_or_else(|| anyhow!("program data {programdata} not found"))?
            .data;
        let tag = data.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if tag != Some(V3_PROGRAMDATA_TAG) || data.len() < V3_PROGRAMDATA_HEADER {
            bail!("{programdata}: not loader-v3 program data");
        }
        Ok((data[V3_PROGRAMDATA_HEADER..].to_vec(), "upgradeable loader (v3)"))
    } else if account.owner == LOADER_V4 {
        let elf = account.data.get(V4_HEADER..).ok_or_else(|| anyhow!("{program_id}: short loader-v4 account"))?;
        Ok((elf.to_vec(), "loader-v4"))
    } else if account.owner == LOADER_V2 {
        Ok((account.data, "loader-v2 (not upgradeable)"))
    } else {
        bail!("{program_id} is owned by {}, not a known loader", account.owner)
    }
}

/// The bytes without the zero padding a loader leaves after the ELF (program-data accounts are
/// often allocated larger than the program, for later upgrades). `solana-verify` hashes the same.
fn without_padding(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    &bytes[..end]
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The `security.txt` fields embedded in a program (`solana-security-txt`'s format: NUL-separated
/// name/value pairs between its markers).
pub fn security_txt(elf: &[u8]) -> Option<Vec<(String, String)>> {
    let start = elf.windows(SECURITY_TXT_BEGIN.len()).position(|w| w == SECURITY_TXT_BEGIN)? + SECURITY_TXT_BEGIN.len();
    let len = elf[start..].windows(SECURITY_TXT_END.len()).position(|w| w == SECURITY_TXT_END)?;
    let parts: Vec<String> =
        elf[start..start + len].split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    Some(parts.chunks(2).filter(|p| p.len() == 2 && !p[0].is_empty()).map(|p| (p[0].clone(), p[1].clone())).collect())
}

/// Compare `program_id`'s deployed bytes with the local build at `local_so`. Returns the outcome
/// and whether they match.
pub fn verify(chain: &mut dyn Chain, program_id: &Pubkey, local_so: &Path) -> Result<(Outcome, bool)> {
    let local = std::fs::read(local_so).map_err(|e| anyhow!("{}: {e}", local_so.display()))?;
    let (deployed, loader) = deployed_elf(chain, program_id)?;
    let (deployed, local) = (without_padding(&deployed), without_padding(&local));
    let (deployed_hash, local_hash) = (sha256_hex(deployed), sha256_hex(local));
    let matches = deployed == local;
    let fields = security_txt(deployed).unwrap_or_default();
    let placeholders: Vec<&str> =
        fields.iter().filter(|(_, v)| v.contains(PLACEHOLDER_DOMAIN)).map(|(k, _)| k.as_str()).collect();
    let verdict = if matches { "MATCH" } else { "MISMATCH" };
    let mut human = vec![
        format!("program           {program_id} ({loader})"),
        format!("deployed sha256   {deployed_hash} ({} bytes)", deployed.len()),
        format!("local sha256      {local_hash} ({} bytes, {})", local.len(), local_so.display()),
        format!("verdict           {verdict}"),
    ];
    match (fields.is_empty(), placeholders.is_empty()) {
        (true, _) => human.push("security.txt      none embedded".into()),
        (false, true) => human.push("security.txt      present, no placeholders".into()),
        (false, false) => human.push(format!(
            "security.txt      PLACEHOLDER {} (a release must carry the deploying team's own: programs/tributary/security-txt.toml)",
            placeholders.join(", ")
        )),
    }
    let security: Value = fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>().into();
    let json = json!({
        "program": program_id.to_string(), "loader": loader, "matches": matches,
        "deployed_sha256": deployed_hash, "deployed_len": deployed.len(),
        "local_sha256": local_hash, "local_len": local.len(), "local_path": local_so.display().to_string(),
        "security_txt": security, "security_txt_placeholders": placeholders,
    });
    Ok((Outcome { human: human.join("\n"), json }, matches))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_txt_fields_are_read_between_the_markers() {
        let mut elf = b"\x7fELF junk".to_vec();
        elf.extend_from_slice(SECURITY_TXT_BEGIN);
        elf.extend_from_slice(b"name\0Tributary\0contacts\0email:a@b.invalid\0");
        elf.extend_from_slice(SECURITY_TXT_END);
        elf.extend_from_slice(b"more");
        let fields = security_txt(&elf).expect("found");
        assert_eq!(fields, vec![("name".into(), "Tributary".into()), ("contacts".into(), "email:a@b.invalid".into())]);
        assert_eq!(security_txt(b"no markers"), None);
    }

    #[test]
    fn padding_after_the_elf_is_not_part_of_the_program() {
        assert_eq!(without_padding(&[1, 0, 2, 0, 0]), &[1, 0, 2]);
        assert_eq!(without_padding(&[0, 0]), &[] as &[u8]);
    }
}

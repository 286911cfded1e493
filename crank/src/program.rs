//! `tributary program`: deploy through the upgradeable loader and hand the upgrade authority to a
//! multisig vault; write a buffer and print the upgrade and set-authority instructions for a
//! proposal (or send them); verify the deployed bytes against a local build, byte for byte, and
//! what its embedded `security.txt` says (placeholders named).
use crate::admin::Act;
use crate::ops::{hex, Outcome};
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;
use solana_loader_v3_interface::{instruction as loader, state::UpgradeableLoaderState};
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use std::path::Path;
use std::time::{Duration, Instant};
use tributary_crank::chain::{Chain, Status};
use tributary_crank::tx::{self, SendOptions};

/// BPFLoaderUpgradeab1e11111111111111111111111
pub const LOADER_V3: Pubkey = anchor_lang::solana_program::bpf_loader_upgradeable::ID;
/// LoaderV411111111111111111111111111111111111
pub const LOADER_V4: Pubkey = Pubkey::from_str_const("LoaderV411111111111111111111111111111111111");
/// BPFLoader2111111111111111111111111111111111 (not upgradeable: the account holds the ELF itself)
pub const LOADER_V2: Pubkey = Pubkey::from_str_const("BPFLoader2111111111111111111111111111111111");
/// A loader-v3 program account: tag 2 (`Program`), then its program-data address.
const V3_PROGRAM_TAG: u32 = 2;
/// A loader-v3 program-data account: tag 3, deploy slot (u64), optional upgrade authority (a
/// presence byte and 32 bytes); the ELF follows.
const V3_PROGRAMDATA_TAG: u32 = 3;
const V3_AUTHORITY: core::ops::Range<usize> = 12..45;
/// Loader-v4: deploy slot, authority or next version, status; the ELF follows.
const V4_HEADER: usize = 8 + 32 + 8;
const SECURITY_TXT_BEGIN: &[u8] = b"=======BEGIN SECURITY.TXT V1=======\0";
const SECURITY_TXT_END: &[u8] = b"=======END SECURITY.TXT V1=======\0";
/// RFC 2606's reserved top-level domain: the repository's placeholders live under it.
const PLACEHOLDER_DOMAIN: &str = ".invalid";

/// A deployed program as its loader holds it.
pub struct Deployed {
    pub elf: Vec<u8>,
    pub loader: &'static str,
    /// Loader-v3 only: its upgrade authority (`Some(None)`: immutable).
    pub upgrade_authority: Option<Option<Pubkey>>,
}

/// The deployed ELF of `program_id`, the loader that holds it and (loader-v3) its upgrade
/// authority, read from the same program-data account.
pub fn deployed(chain: &mut dyn Chain, program_id: &Pubkey) -> Result<Deployed> {
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
        let header = UpgradeableLoaderState::size_of_programdata_metadata();
        let upgrade_authority = match (tag, data.get(V3_AUTHORITY)) {
            (Some(V3_PROGRAMDATA_TAG), Some([1, key @ ..])) => Some(Pubkey::try_from(key).map_err(|e| anyhow!("{e}"))?),
            (Some(V3_PROGRAMDATA_TAG), Some([0, ..])) => None,
            _ => bail!("{programdata}: not loader-v3 program data"),
        };
        let elf = data[header..].to_vec();
        Ok(Deployed { elf, loader: "upgradeable loader (v3)", upgrade_authority: Some(upgrade_authority) })
    } else if account.owner == LOADER_V4 {
        let elf = account.data.get(V4_HEADER..).ok_or_else(|| anyhow!("{program_id}: short loader-v4 account"))?;
        Ok(Deployed { elf: elf.to_vec(), loader: "loader-v4", upgrade_authority: None })
    } else if account.owner == LOADER_V2 {
        Ok(Deployed { elf: account.data, loader: "loader-v2 (not upgradeable)", upgrade_authority: None })
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
    hex(&Sha256::digest(bytes))
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
    let Deployed { elf, loader, upgrade_authority: authority } = deployed(chain, program_id)?;
    let (deployed, local) = (without_padding(&elf), without_padding(&local));
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
    match authority {
        Some(Some(key)) => human.push(format!("upgrade authority {key}")),
        Some(None) => human.push("upgrade authority none (immutable)".into()),
        None => {}
    }
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
        "upgrade_authority": authority.flatten().map(|k| k.to_string()),
    });
    Ok((Outcome { human: human.join("\n"), json }, matches))
}

/// Program bytes per loader `Write`: what fits a 1,232-byte legacy transaction signed by the payer
/// (who is the buffer's authority).
const WRITE_CHUNK: usize = 950;
/// Rounds of sending what has not landed (each with a fresh blockhash) before giving up.
const WRITE_ROUNDS: usize = 6;

/// Send one transaction per instruction, all at once, then wait for them; what did not land before
/// its blockhash expired is signed again with a new one. Only for instructions that may land twice
/// (a buffer `Write` of the same bytes at the same offset).
fn send_idempotent(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    ixs: &[anchor_lang::solana_program::instruction::Instruction],
) -> Result<()> {
    let mut pending: Vec<usize> = (0..ixs.len()).collect();
    for _ in 0..WRITE_ROUNDS {
        if pending.is_empty() {
            return Ok(());
        }
        let (blockhash, last_valid) = chain.latest_blockhash().map_err(|e| anyhow!("{e}"))?;
        let mut sent = Vec::with_capacity(pending.len());
        for &i in &pending {
            let message = solana_message::Message::new_with_blockhash(&ixs[i..=i], Some(&payer.pubkey()), &blockhash);
            let tx = VersionedTransaction::try_new(solana_message::VersionedMessage::Legacy(message), &[payer])
                .map_err(|e| anyhow!("sign: {e}"))?;
            let signature = tx.signatures[0];
            let _ = chain.send(&tx); // a refused send is sent again next round
            sent.push((i, signature));
        }
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let mut landed = vec![false; sent.len()];
            for (chunk_index, chunk) in sent.chunks(256).enumerate() {
                let signatures: Vec<_> = chunk.iter().map(|(_, s)| *s).collect();
                let statuses = chain.statuses(&signatures).map_err(|e| anyhow!("{e}"))?;
                for (j, status) in statuses.iter().enumerate() {
                    match status {
                        Status::Confirmed => landed[chunk_index * 256 + j] = true,
                        Status::Failed(e) => bail!("write {} failed: {e:?}", chunk[j].0),
                        Status::Pending => {}
                    }
                }
            }
            if landed.iter().all(|l| *l) {
                return Ok(());
            }
            let expired = chain.block_height().map_err(|e| anyhow!("{e}"))? > last_valid;
            if expired || Instant::now() > deadline {
                pending = sent.iter().zip(&landed).filter(|(_, l)| !**l).map(|((i, _), _)| *i).collect();
                break;
            }
            std::thread::sleep(Duration::from_millis(400));
        }
    }
    bail!("{} buffer writes did not land in {WRITE_ROUNDS} rounds", pending.len())
}

/// Write `elf` into a new loader-v3 buffer whose authority is the payer; checked byte for byte
/// after. Returns the buffer's address.
pub fn write_buffer(chain: &mut dyn Chain, payer: &dyn Signer, elf: &[u8]) -> Result<Pubkey> {
    let buffer = Keypair::new();
    let space = UpgradeableLoaderState::size_of_buffer(elf.len());
    let lamports = chain.minimum_balance(space).map_err(|e| anyhow!("{e}"))?;
    let create = loader::create_buffer(&payer.pubkey(), &buffer.pubkey(), &payer.pubkey(), lamports, elf.len())
        .map_err(|e| anyhow!("{e}"))?;
    tx::submit(chain, payer, &[&buffer], &create, &[], SendOptions::default())
        .map_err(|e| anyhow!("create buffer: {e}"))?;
    let writes: Vec<_> = elf
        .chunks(WRITE_CHUNK)
        .enumerate()
        .map(|(i, bytes)| loader::write(&buffer.pubkey(), &payer.pubkey(), (i * WRITE_CHUNK) as u32, bytes.to_vec()))
        .collect();
    // a buffer that was not finished holds its rent under the payer's authority: say where it is
    let unfinished = |why: String| {
        anyhow!(
            "{why}; buffer {} ({lamports} lamports, authority {}) was not finished: its rent comes back with \
             the loader's Close (`solana program close {}`)",
            buffer.pubkey(),
            payer.pubkey(),
            buffer.pubkey()
        )
    };
    send_idempotent(chain, payer, &writes).map_err(|e| unfinished(e.to_string()))?;
    let written = chain.get_account(&buffer.pubkey()).map_err(|e| unfinished(e.to_string()))?;
    if written.map(|a| a.data).unwrap_or_default().get(UpgradeableLoaderState::size_of_buffer_metadata()..) != Some(elf)
    {
        return Err(unfinished("the buffer does not hold the program after writing".into()));
    }
    Ok(buffer.pubkey())
}

/// `program deploy`: write the build into a buffer, deploy it at `program` (its keypair signs)
/// with room to grow to twice its size, and — given `upgrade_authority` (a multisig vault) — hand
/// the upgrade authority to it in the same run.
pub fn deploy(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    program: &Keypair,
    so: &Path,
    upgrade_authority: Option<Pubkey>,
) -> Result<Outcome> {
    let elf = std::fs::read(so).map_err(|e| anyhow!("{}: {e}", so.display()))?;
    let buffer = write_buffer(chain, payer, &elf)?;
    let program_lamports =
        chain.minimum_balance(UpgradeableLoaderState::size_of_program()).map_err(|e| anyhow!("{e}"))?;
    let max_len = elf.len().saturating_mul(2);
    let deploy = loader::deploy_with_max_program_len(
        &payer.pubkey(),
        &program.pubkey(),
        &buffer,
        &payer.pubkey(),
        program_lamports,
        max_len,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let landed = tx::submit(chain, payer, &[program], &deploy, &[], SendOptions::default())
        .map_err(|e| anyhow!("deploy: {e}"))?;
    let mut human = format!(
        "deployed {} ({} bytes, room for {max_len}) from buffer {buffer}, signature {}",
        program.pubkey(),
        elf.len(),
        landed.signature
    );
    let mut json = json!({"program": program.pubkey().to_string(), "buffer": buffer.to_string(),
        "len": elf.len(), "max_len": max_len, "signature": landed.signature.to_string(),
        "upgrade_authority": payer.pubkey().to_string()});
    if let Some(vault) = upgrade_authority {
        let handed = set_upgrade_authority(chain, &Act::Send(payer), &program.pubkey(), &vault)?;
        human += &format!("\n{}", handed.human);
        json["upgrade_authority"] = json!(vault.to_string());
        json["authority_signature"] = handed.json["signature"].clone();
    }
    Ok(Outcome { human, json })
}

/// `program write-buffer`: the build in a buffer whose authority becomes `authority` (the multisig
/// vault that will sign the upgrade), ready for an upgrade proposal.
pub fn write_buffer_for(
    chain: &mut dyn Chain,
    payer: &dyn Signer,
    so: &Path,
    authority: Option<Pubkey>,
) -> Result<Outcome> {
    let elf = std::fs::read(so).map_err(|e| anyhow!("{}: {e}", so.display()))?;
    let buffer = write_buffer(chain, payer, &elf)?;
    let sha256 = sha256_hex(&elf);
    let authority = authority.unwrap_or(payer.pubkey());
    if authority != payer.pubkey() {
        let hand = loader::set_buffer_authority(&buffer, &payer.pubkey(), &authority);
        tx::submit(chain, payer, &[], &[hand], &[], SendOptions::default())
            .map_err(|e| anyhow!("buffer authority: {e}"))?;
    }
    Ok(Outcome {
        human: format!("buffer {buffer}: {} bytes (sha256 {sha256}), authority {authority}", elf.len()),
        json: json!({"buffer": buffer.to_string(), "len": elf.len(), "sha256": sha256,
            "authority": authority.to_string()}),
    })
}

/// `program upgrade`: replace `program`'s bytes with `buffer`'s (its authority must be the
/// program's); the buffer's rent goes to `spill`. Printed for a multisig proposal or sent.
pub fn upgrade(chain: &mut dyn Chain, act: &Act, program: &Pubkey, buffer: &Pubkey, spill: &Pubkey) -> Result<Outcome> {
    let ix = loader::upgrade(program, buffer, &act.authority(), spill);
    act.run(
        chain,
        vec![ix],
        format!("program {program} upgraded from buffer {buffer}"),
        json!({"program": program.to_string(), "buffer": buffer.to_string(), "spill": spill.to_string()}),
    )
}

/// `program set-authority`: hand `program`'s upgrade authority to `new` (a multisig vault, which
/// cannot sign the checked variant). Printed for a proposal or sent.
pub fn set_upgrade_authority(chain: &mut dyn Chain, act: &Act, program: &Pubkey, new: &Pubkey) -> Result<Outcome> {
    let ix = loader::set_upgrade_authority(program, &act.authority(), Some(new));
    act.run(
        chain,
        vec![ix],
        format!("program {program}: upgrade authority handed to {new}"),
        json!({"program": program.to_string(), "upgrade_authority": new.to_string()}),
    )
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

//! Every instruction of the program an operator or contributor may need beyond the everyday ones in
//! `ops`: pool configuration, attestor, two-step authority transfer, closing a pool, ledger pages,
//! and a contribution's retire / close / payout account. An authority command can print its
//! instruction instead of sending it, for a pool whose authority is a multisig (Squads and other
//! multisig UIs take the instruction, or the whole message, in base58).
use crate::ops::{load_pool, Outcome};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anyhow::{anyhow, bail, Result};
use serde_json::json;
use solana_signer::Signer;
use tributary_crank::chain::Chain;
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::accounts as decode;
use tributary_sdk::instructions::{self as ix, ContributionRef};
use tributary_sdk::view::PoolView;

/// Who acts, and whether the instruction is sent or only printed.
pub enum Act<'a> {
    /// Signed by this keypair and sent.
    Send(&'a dyn Signer),
    /// Printed for `authority` (a multisig vault, say) to sign elsewhere; nothing is sent.
    Print { authority: Pubkey },
}

impl Act<'_> {
    pub fn authority(&self) -> Pubkey {
        match self {
            Act::Send(k) => k.pubkey(),
            Act::Print { authority } => *authority,
        }
    }

    /// Send `ixs` (or print them), describing the result as `what`.
    pub fn run(
        &self,
        chain: &mut dyn Chain,
        ixs: Vec<Instruction>,
        what: String,
        mut json: serde_json::Value,
    ) -> Result<Outcome> {
        match self {
            Act::Send(payer) => {
                let landed =
                    tx::submit(chain, payer, &[], &ixs, &[], SendOptions::default()).map_err(|e| anyhow!("{e}"))?;
                json["signature"] = json!(landed.signature.to_string());
                Ok(Outcome { human: format!("{what}, signature {}", landed.signature), json })
            }
            Act::Print { authority } => {
                let printed: Vec<serde_json::Value> = ixs.iter().map(instruction_json).collect();
                let message = solana_message::Message::new(&ixs, Some(authority));
                let message_b58 = bs58::encode(message.serialize()).into_string();
                json["instructions"] = json!(printed);
                json["message_base58"] = json!(message_b58);
                let mut human = format!("not sent — {what} — for {authority} to sign:\n");
                for (i, p) in printed.iter().enumerate() {
                    human += &format!("instruction {i}: {}\n", serde_json::to_string_pretty(p)?);
                }
                human += &format!("message (base58, fee payer {authority}): {message_b58}");
                Ok(Outcome { human, json })
            }
        }
    }
}

/// An instruction as a multisig UI takes it: program, accounts with their roles, data in base58.
pub fn instruction_json(ix: &Instruction) -> serde_json::Value {
    json!({
        "program_id": ix.program_id.to_string(),
        "accounts": ix.accounts.iter().map(|a| json!({
            "pubkey": a.pubkey.to_string(), "is_signer": a.is_signer, "is_writable": a.is_writable
        })).collect::<Vec<_>>(),
        "data": bs58::encode(&ix.data).into_string(),
    })
}

fn require_authority(actual: &Pubkey, act: &Act, role: &str) -> Result<()> {
    if *actual != act.authority() {
        bail!("{} is not the pool's {role} ({actual})", act.authority());
    }
    Ok(())
}

/// Pause or resume a pool.
pub fn set_paused(chain: &mut dyn Chain, act: &Act, pool: &Pubkey, paused: bool) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    require_authority(&view.pool.authority, act, "authority")?;
    let authority = act.authority();
    let ixs = vec![if paused { ix::pause(&authority, pool) } else { ix::unpause(&authority, pool) }];
    let word = if paused { "paused" } else { "unpaused" };
    act.run(chain, ixs, format!("{word} pool {pool}"), json!({"pool": pool.to_string(), "paused": paused}))
}

/// New cranker reward and/or minimum payout (in tokens; the rest unchanged).
pub fn pool_config(
    chain: &mut dyn Chain,
    act: &Act,
    pool: &Pubkey,
    reward_bps: Option<u16>,
    min_payout: Option<&str>,
) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    require_authority(&view.pool.authority, act, "authority")?;
    let min_payout = min_payout
        .map(|m| tributary_crank::token::parse_amount(m, view.pool.decimals).map_err(|e| anyhow!("--min-payout: {e}")))
        .transpose()?;
    let (bps, min) = (reward_bps.unwrap_or(view.pool.cranker_reward_bps), min_payout.unwrap_or(view.pool.min_payout));
    if bps > tributary::constants::MAX_CRANKER_REWARD_BPS {
        bail!("--cranker-reward-bps {bps} is above the cap of {}", tributary::constants::MAX_CRANKER_REWARD_BPS);
    }
    let ixs = vec![ix::update_pool_config(&act.authority(), pool, bps, min)];
    act.run(
        chain,
        ixs,
        format!("pool {pool}: cranker reward {bps} bps, minimum payout {min}"),
        json!({"pool": pool.to_string(), "cranker_reward_bps": bps, "min_payout": min}),
    )
}

pub fn set_attestor(chain: &mut dyn Chain, act: &Act, pool: &Pubkey, attestor: Pubkey) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    require_authority(&view.pool.authority, act, "authority")?;
    let ixs = vec![ix::set_attestor(&act.authority(), pool, attestor)];
    act.run(
        chain,
        ixs,
        format!("pool {pool}: attestor {attestor}"),
        json!({"pool": pool.to_string(), "attestor": attestor.to_string()}),
    )
}

/// Propose a new authority (`None` cancels a proposal); it takes over when it accepts.
pub fn propose_authority(chain: &mut dyn Chain, act: &Act, pool: &Pubkey, new: Option<Pubkey>) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    require_authority(&view.pool.authority, act, "authority")?;
    let ixs = vec![ix::propose_authority(&act.authority(), pool, new)];
    let what = match new {
        Some(k) => format!("pool {pool}: {k} proposed as authority (it must accept)"),
        None => format!("pool {pool}: authority proposal cancelled"),
    };
    act.run(chain, ixs, what, json!({"pool": pool.to_string(), "pending_authority": new.map(|k| k.to_string())}))
}

pub fn accept_authority(chain: &mut dyn Chain, act: &Act, pool: &Pubkey) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    let pending = view.pool.pending_authority().ok_or_else(|| anyhow!("no authority transfer is pending on {pool}"))?;
    if pending != act.authority() {
        bail!("{} is not the pending authority ({pending})", act.authority());
    }
    let ixs = vec![ix::accept_authority(&act.authority(), pool)];
    act.run(
        chain,
        ixs,
        format!("pool {pool}: authority is now {pending}"),
        json!({"pool": pool.to_string(), "authority": pending.to_string()}),
    )
}

/// Close an empty pool (no active contributions, pages closed): dust to `to`, rent to the authority.
pub fn close_pool(chain: &mut dyn Chain, act: &Act, pool: &Pubkey, to: Option<Pubkey>) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    require_authority(&view.pool.authority, act, "authority")?;
    if view.pool.active_contributions > 0 || view.pool.ledger_pages > 0 {
        bail!(
            "pool {pool} still has {} active contributions and {} ledger pages: they must be closed first",
            view.pool.active_contributions,
            view.pool.ledger_pages
        );
    }
    let to = to.unwrap_or_else(|| {
        tributary_crank::token::associated_token_address(&act.authority(), &view.pool.mint, &view.pool.token_program)
    });
    let ixs = vec![ix::close_pool(&act.authority(), &view.keys, &to)];
    act.run(chain, ixs, format!("pool {pool} closed (dust to {to})"), json!({"pool": pool.to_string(), "closed": true}))
}

/// Open the next ledger page now (anyone; the payer pays its rent less what the pool's page fund
/// pays back, and gets that back when the emptied pool's authority closes the page), so
/// contributors registering next never pay a page's rent themselves.
pub fn open_page(chain: &mut dyn Chain, payer: &dyn Signer, pool: &Pubkey) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    let page = view.pool.ledger_pages;
    let rent = chain.minimum_balance(tributary::state::LedgerPage::SPACE).map_err(|e| anyhow!("{e}"))?;
    let from_fund = view.pool.page_fund_share(rent);
    let act = Act::Send(payer);
    act.run(
        chain,
        vec![ix::open_ledger_page(&payer.pubkey(), &view.keys, page)],
        format!("pool {pool}: ledger page {page} opened ({} lamports paid back from the page fund)", from_fund),
        json!({"pool": pool.to_string(), "page": page, "from_page_fund": from_fund}),
    )
}

/// Close the last ledger page of a pool with no active contributions; its rent goes back to the
/// pool's page fund as far as the fund paid it, the rest to whoever opened it (recorded in the page).
pub fn close_page(chain: &mut dyn Chain, act: &Act, pool: &Pubkey) -> Result<Outcome> {
    let view = load_pool(chain, pool)?;
    require_authority(&view.pool.authority, act, "authority")?;
    let Some(page) = view.pool.ledger_pages.checked_sub(1) else { bail!("pool {pool} has no ledger pages") };
    if view.pool.active_contributions > 0 {
        bail!("pool {pool} still has {} active contributions", view.pool.active_contributions);
    }
    let payer = view
        .pages
        .get(page as usize)
        .and_then(|p| p.as_ref())
        .map(|p| p.payer)
        .ok_or_else(|| anyhow!("ledger page {page} not found"))?;
    let ixs = vec![ix::close_ledger_page(&act.authority(), &view.keys, page, &payer)];
    act.run(
        chain,
        ixs,
        format!("pool {pool}: ledger page {page} closed (rent to {payer})"),
        json!({"pool": pool.to_string(), "page": page, "rent_to": payer.to_string()}),
    )
}

/// A contribution and its pool, checked to be the signer's (`claim` and the commands below).
pub fn own_contribution(
    chain: &mut dyn Chain,
    contributor: &Pubkey,
    address: &Pubkey,
) -> Result<(ContributionRef, PoolView)> {
    let account = chain.get_account(address)?.ok_or_else(|| anyhow!("no contribution at {address}"))?;
    if account.owner != tributary::ID {
        bail!("{address} is not a Tributary account");
    }
    let c = decode::contribution(&account.data).map_err(|e| anyhow!("{address}: {e}"))?;
    if c.contributor != *contributor {
        bail!("{contributor} is not this contribution's contributor ({})", c.contributor);
    }
    let view = load_pool(chain, &c.pool)?;
    Ok((ContributionRef { address: *address, entry: c.entry }, view))
}

/// Retire a contribution: no more revenue; what it is owed stays payable.
pub fn retire(chain: &mut dyn Chain, contributor: &dyn Signer, address: &Pubkey) -> Result<Outcome> {
    let (c, view) = own_contribution(chain, &contributor.pubkey(), address)?;
    let keys = view.keys;
    let act = Act::Send(contributor);
    act.run(
        chain,
        vec![ix::retire_contribution(&contributor.pubkey(), &keys, &c)],
        format!("contribution {address} retired"),
        json!({"contribution": address.to_string(), "retired": true}),
    )
}

/// Close a retired contribution with nothing owed: its rent comes back to the contributor.
pub fn close(chain: &mut dyn Chain, contributor: &dyn Signer, address: &Pubkey) -> Result<Outcome> {
    let (c, view) = own_contribution(chain, &contributor.pubkey(), address)?;
    let keys = view.keys;
    let rent = chain.get_account(address)?.map(|a| a.lamports).unwrap_or(0);
    let act = Act::Send(contributor);
    act.run(
        chain,
        vec![ix::close_contribution(&contributor.pubkey(), &keys, &c)],
        format!("contribution {address} closed, {rent} lamports of rent back"),
        json!({"contribution": address.to_string(), "rent_returned": rent}),
    )
}

/// Point a contribution's payouts at another token account of the pool's mint the contributor owns.
pub fn set_destination(
    chain: &mut dyn Chain,
    contributor: &dyn Signer,
    address: &Pubkey,
    destination: Pubkey,
) -> Result<Outcome> {
    let (c, view) = own_contribution(chain, &contributor.pubkey(), address)?;
    let keys = view.keys;
    let act = Act::Send(contributor);
    act.run(
        chain,
        vec![ix::set_destination(&contributor.pubkey(), &keys, &c, &destination)],
        format!("contribution {address} now paid to {destination}"),
        json!({"contribution": address.to_string(), "destination": destination.to_string()}),
    )
}

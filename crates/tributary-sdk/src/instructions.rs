//! Typed builders for every instruction: accounts in the program's order, PDAs derived here.
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{InstructionData, ToAccountMetas};
use tributary::state::{ContributionKind, Pool};
use tributary::{
    accounts as acc, instruction as ix, CreatePoolArgs, RegisterContributionArgs, SetWeightsArgs, UsageShare,
    WeightUpdate,
};

const SYSTEM_PROGRAM: Pubkey = anchor_lang::system_program::ID;
/// Token-2022, whose transfers always name the mint.
const TOKEN_2022_PROGRAM: Pubkey = anchor_lang::pubkey!("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// Updates per set_weights transaction (12 bytes each, well inside the packet with the header).
pub const WEIGHTS_PER_TX: usize = 64;

/// The addresses an instruction on an existing pool needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolKeys {
    pub pool: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
}

impl PoolKeys {
    pub fn new(creator: &Pubkey, pool_id: u64, mint: Pubkey, token_program: Pubkey) -> Self {
        let pool = pda::pool(creator, pool_id).0;
        Self { pool, mint, token_program, vault: pda::vault(&pool).0 }
    }

    pub fn from_account(pool_address: Pubkey, pool: &Pool) -> Self {
        Self { pool: pool_address, mint: pool.mint, token_program: pool.token_program, vault: pool.vault }
    }

    pub fn page(&self, page: u32) -> Pubkey {
        pda::ledger_page(&self.pool, page).0
    }

    pub fn page_of_entry(&self, entry: u32) -> Pubkey {
        pda::ledger_page_of_entry(&self.pool, entry)
    }
}

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: tributary::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

pub fn create_pool(creator: &Pubkey, keys: &PoolKeys, args: CreatePoolArgs) -> Instruction {
    build(
        acc::CreatePool {
            creator: *creator,
            pool: keys.pool,
            mint: keys.mint,
            vault: keys.vault,
            token_program: keys.token_program,
            system_program: SYSTEM_PROGRAM,
        },
        ix::CreatePool { args },
    )
}

fn admin(authority: &Pubkey, pool: &Pubkey) -> acc::PoolAdmin {
    acc::PoolAdmin { authority: *authority, pool: *pool }
}

pub fn pause(authority: &Pubkey, pool: &Pubkey) -> Instruction {
    build(admin(authority, pool), ix::Pause {})
}

pub fn unpause(authority: &Pubkey, pool: &Pubkey) -> Instruction {
    build(admin(authority, pool), ix::Unpause {})
}

pub fn update_pool_config(authority: &Pubkey, pool: &Pubkey, cranker_reward_bps: u16, min_payout: u64) -> Instruction {
    build(admin(authority, pool), ix::UpdatePoolConfig { cranker_reward_bps, min_payout })
}

pub fn propose_authority(authority: &Pubkey, pool: &Pubkey, new_authority: Option<Pubkey>) -> Instruction {
    build(admin(authority, pool), ix::ProposeAuthority { new_authority })
}

pub fn accept_authority(new_authority: &Pubkey, pool: &Pubkey) -> Instruction {
    build(acc::AcceptAuthority { new_authority: *new_authority, pool: *pool }, ix::AcceptAuthority {})
}

pub fn set_attestor(authority: &Pubkey, pool: &Pubkey, attestor: Pubkey) -> Instruction {
    build(admin(authority, pool), ix::SetAttestor { attestor })
}

pub fn open_ledger_page(payer: &Pubkey, keys: &PoolKeys, page: u32) -> Instruction {
    build(
        acc::OpenLedgerPage {
            payer: *payer,
            pool: keys.pool,
            ledger_page: keys.page(page),
            system_program: SYSTEM_PROGRAM,
        },
        ix::OpenLedgerPage {},
    )
}

/// `payer` is whoever paid the page's rent (recorded in the page), who gets it back.
pub fn close_ledger_page(authority: &Pubkey, keys: &PoolKeys, page: u32, payer: &Pubkey) -> Instruction {
    build(
        acc::CloseLedgerPage { authority: *authority, pool: keys.pool, ledger_page: keys.page(page), payer: *payer },
        ix::CloseLedgerPage {},
    )
}

pub fn close_pool(authority: &Pubkey, keys: &PoolKeys, authority_token: &Pubkey) -> Instruction {
    build(
        acc::ClosePool {
            authority: *authority,
            pool: keys.pool,
            mint: keys.mint,
            vault: keys.vault,
            authority_token: *authority_token,
            token_program: keys.token_program,
        },
        ix::ClosePool {},
    )
}

/// Register as entry `entry` (the pool's current `entry_count`).
pub fn register_contribution(
    contributor: &Pubkey,
    keys: &PoolKeys,
    entry: u32,
    destination: &Pubkey,
    content_hash: [u8; 32],
    kind: ContributionKind,
    uri: String,
) -> Instruction {
    build(
        acc::RegisterContribution {
            contributor: *contributor,
            pool: keys.pool,
            ledger_page: keys.page_of_entry(entry),
            contribution: pda::contribution(&keys.pool, &content_hash).0,
            destination: *destination,
            token_program: keys.token_program,
            system_program: SYSTEM_PROGRAM,
        },
        ix::RegisterContribution { args: RegisterContributionArgs { content_hash, kind, uri } },
    )
}

/// A contribution and the entry it points at.
#[derive(Clone, Copy, Debug)]
pub struct ContributionRef {
    pub address: Pubkey,
    pub entry: u32,
}

fn contributor_entry(contributor: &Pubkey, keys: &PoolKeys, c: &ContributionRef) -> acc::ContributorEntry {
    acc::ContributorEntry {
        contributor: *contributor,
        contribution: c.address,
        pool: keys.pool,
        ledger_page: keys.page_of_entry(c.entry),
    }
}

pub fn set_destination(
    contributor: &Pubkey,
    keys: &PoolKeys,
    c: &ContributionRef,
    destination: &Pubkey,
) -> Instruction {
    build(
        acc::SetDestination {
            contributor: *contributor,
            contribution: c.address,
            pool: keys.pool,
            ledger_page: keys.page_of_entry(c.entry),
            destination: *destination,
            token_program: keys.token_program,
        },
        ix::SetDestination {},
    )
}

pub fn retire_contribution(contributor: &Pubkey, keys: &PoolKeys, c: &ContributionRef) -> Instruction {
    build(contributor_entry(contributor, keys, c), ix::RetireContribution {})
}

pub fn close_contribution(contributor: &Pubkey, keys: &PoolKeys, c: &ContributionRef) -> Instruction {
    build(contributor_entry(contributor, keys, c), ix::CloseContribution {})
}

pub fn set_weights(
    attestor: &Pubkey,
    keys: &PoolKeys,
    page: u32,
    epoch: u64,
    report_hash: [u8; 32],
    updates: Vec<WeightUpdate>,
) -> Instruction {
    build(
        acc::SetWeights { attestor: *attestor, pool: keys.pool, ledger_page: keys.page(page) },
        ix::SetWeights { args: SetWeightsArgs { epoch, report_hash, updates } },
    )
}

pub fn deposit(depositor: &Pubkey, keys: &PoolKeys, depositor_token: &Pubkey, amount: u64) -> Instruction {
    build(
        acc::Deposit {
            depositor: *depositor,
            pool: keys.pool,
            mint: keys.mint,
            vault: keys.vault,
            depositor_token: *depositor_token,
            token_program: keys.token_program,
        },
        ix::Deposit { amount },
    )
}

pub fn attribute_usage(
    payer: &Pubkey,
    keys: &PoolKeys,
    page: u32,
    payer_token: &Pubkey,
    fee: u64,
    shares: Vec<UsageShare>,
) -> Instruction {
    build(
        acc::AttributeUsage {
            payer: *payer,
            pool: keys.pool,
            ledger_page: keys.page(page),
            mint: keys.mint,
            vault: keys.vault,
            payer_token: *payer_token,
            token_program: keys.token_program,
        },
        ix::AttributeUsage { fee, shares },
    )
}

/// The `attribute_usage` instructions that pay `fee` to the entries of `scores` (summed per entry
/// over one request's receipts or a batch's: `tributary_attest::scores_of`) in proportion to them:
/// split by ledger page and by the program's entry limit, exact basis points (ATTESTATION.md §6).
/// Send them in one transaction, or several; each pays its own part of the fee.
pub fn attribute_usage_by_scores(
    payer: &Pubkey,
    keys: &PoolKeys,
    payer_token: &Pubkey,
    fee: u64,
    scores: &std::collections::BTreeMap<u32, tributary_attest::Score>,
) -> Result<Vec<Instruction>, tributary_attest::AttestError> {
    use tributary::constants::{ENTRIES_PER_PAGE, MAX_USAGE_ENTRIES};
    let plan = tributary_attest::plan_usage_fee(scores, fee, ENTRIES_PER_PAGE, MAX_USAGE_ENTRIES as usize)?;
    Ok(plan
        .into_iter()
        .map(|part| {
            let shares = part.shares.iter().map(|&(entry, share_bps)| UsageShare { entry, share_bps }).collect();
            attribute_usage(payer, keys, part.page, payer_token, part.fee, shares)
        })
        .collect())
}

/// How the crank sends its transfers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrankMode {
    /// One CPI to the token program's `batch`: p-token's, or Token-2022's (v11 and later).
    Batch,
    /// One `transfer_checked` per payout (any mint; where the token program has no `batch`).
    PerTransfer,
}

/// Crank the entries of one page; `payouts` are (entry, destination) pairs in order.
pub fn crank(
    cranker: &Pubkey,
    keys: &PoolKeys,
    page: u32,
    payouts: &[(u32, Pubkey)],
    reward_account: Option<Pubkey>,
    mode: CrankMode,
) -> Instruction {
    let mut instruction = build(
        acc::Crank {
            cranker: *cranker,
            pool: keys.pool,
            ledger_page: keys.page(page),
            vault: keys.vault,
            token_program: keys.token_program,
            // `transfer_checked` names the mint: Token-2022 in either mode, p-token one at a time
            mint: (mode == CrankMode::PerTransfer || keys.token_program == TOKEN_2022_PROGRAM).then_some(keys.mint),
            reward_account,
        },
        ix::Crank { entries: payouts.iter().map(|(entry, _)| *entry).collect(), batch: mode == CrankMode::Batch },
    );
    instruction.accounts.extend(payouts.iter().map(|(_, destination)| AccountMeta::new(*destination, false)));
    instruction
}

pub fn claim(contributor: &Pubkey, keys: &PoolKeys, c: &ContributionRef, destination: &Pubkey) -> Instruction {
    build(
        acc::Claim {
            contributor: *contributor,
            contribution: c.address,
            pool: keys.pool,
            ledger_page: keys.page_of_entry(c.entry),
            mint: keys.mint,
            vault: keys.vault,
            destination: *destination,
            token_program: keys.token_program,
        },
        ix::Claim {},
    )
}

/// The read-only `owed` view: simulate it and read the entry's owed amount (u64, little-endian)
/// from the return data.
pub fn owed(keys: &PoolKeys, entry: u32) -> Instruction {
    build(acc::OwedView { pool: keys.pool, ledger_page: keys.page_of_entry(entry) }, ix::Owed { entry })
}

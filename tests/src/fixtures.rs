//! A pool with contributors, built through the program's own instructions.
use crate::{Env, Sent};
use anchor_lang::prelude::Pubkey;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::ContributionKind;
use tributary::{CreatePoolArgs, WeightUpdate};
use tributary_sdk::instructions::{self as ix, ContributionRef, CrankMode, PoolKeys};
use tributary_sdk::pda;

pub struct Member {
    pub wallet: Keypair,
    pub destination: Pubkey,
    pub contribution: ContributionRef,
    pub content_hash: [u8; 32],
}

pub struct PoolFixture {
    pub keys: PoolKeys,
    pub pool_id: u64,
    /// Creator and authority.
    pub authority: Keypair,
    pub attestor: Keypair,
    pub depositor: Keypair,
    pub depositor_token: Pubkey,
    pub epoch: u64,
    pub members: Vec<Member>,
}

pub fn content_hash(seed: u64) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..8].copy_from_slice(&seed.to_le_bytes());
    h[8..16].copy_from_slice(&(!seed).to_le_bytes());
    h
}

impl PoolFixture {
    pub fn args(pool_id: u64, attestor: Pubkey, cranker_reward_bps: u16, min_payout: u64) -> CreatePoolArgs {
        CreatePoolArgs { pool_id, attestor, cranker_reward_bps, min_payout }
    }

    /// A pool on a new mint of `token_program`, the depositor holding 10¹⁵ base units.
    pub fn create(env: &mut Env, token_program: &Pubkey, cranker_reward_bps: u16, min_payout: u64) -> Self {
        let mint = env.create_mint(token_program, 6);
        Self::create_on_mint(env, mint, cranker_reward_bps, min_payout)
    }

    /// A pool with one contributor per weight (entries 0, 1, …), those weights posted, and
    /// `deposit` base units of revenue (if any) deposited.
    pub fn funded(
        env: &mut Env,
        token_program: &Pubkey,
        cranker_reward_bps: u16,
        min_payout: u64,
        weights: &[u64],
        deposit: u64,
    ) -> Self {
        let mut f = Self::create(env, token_program, cranker_reward_bps, min_payout);
        f.register_many(env, weights.len());
        let entries: Vec<(u32, u64)> = weights.iter().enumerate().map(|(e, &w)| (e as u32, w)).collect();
        f.set_weights(env, &entries);
        if deposit > 0 {
            f.deposit(env, deposit);
        }
        f
    }

    pub fn create_on_mint(env: &mut Env, mint: Pubkey, cranker_reward_bps: u16, min_payout: u64) -> Self {
        let token_program = env.account(&mint).expect("mint").owner;
        let authority = env.new_funded_keypair();
        let attestor = env.new_funded_keypair();
        let depositor = env.new_funded_keypair();
        let pool_id = 7;
        let keys = PoolKeys::new(&authority.pubkey(), pool_id, mint, token_program);
        env.ok(
            &[ix::create_pool(
                &authority.pubkey(),
                &keys,
                Self::args(pool_id, attestor.pubkey(), cranker_reward_bps, min_payout),
            )],
            &[&authority],
        );
        let depositor_token = env.create_token_account(&mint, &depositor.pubkey());
        env.mint_to(&mint, &depositor_token, 1_000_000_000_000_000);
        Self { keys, pool_id, authority, attestor, depositor, depositor_token, epoch: 0, members: Vec::new() }
    }

    pub fn open_page(&self, env: &mut Env) -> Sent {
        let page = env.pool(&self.keys.pool).ledger_pages;
        env.ok(&[ix::open_ledger_page(&env.payer.pubkey(), &self.keys, page)], &[])
    }

    /// Register one more contributor (opening a page when needed); returns the transaction.
    pub fn register(&mut self, env: &mut Env) -> Sent {
        let pool = env.pool(&self.keys.pool);
        let entry = pool.entry_count;
        if entry / ENTRIES_PER_PAGE >= pool.ledger_pages {
            self.open_page(env);
        }
        let wallet = env.new_funded_keypair();
        let destination = env.create_token_account(&self.keys.mint, &wallet.pubkey());
        let content_hash = content_hash(u64::from(entry) + 1);
        let sent = env.ok(
            &[ix::register_contribution(
                &wallet.pubkey(),
                &self.keys,
                entry,
                &destination,
                content_hash,
                ContributionKind::Dataset,
                format!("ipfs://contribution/{entry}"),
            )],
            &[&wallet],
        );
        let contribution = ContributionRef { address: pda::contribution(&self.keys.pool, &content_hash).0, entry };
        self.members.push(Member { wallet, destination, contribution, content_hash });
        sent
    }

    pub fn register_many(&mut self, env: &mut Env, n: usize) {
        for _ in 0..n {
            self.register(env);
        }
    }

    /// Post weights (entry, weight) as a new report, one instruction per page.
    pub fn set_weights(&mut self, env: &mut Env, weights: &[(u32, u64)]) -> Vec<Sent> {
        self.epoch += 1;
        let mut by_page: std::collections::BTreeMap<u32, Vec<WeightUpdate>> = Default::default();
        for &(entry, weight) in weights {
            by_page.entry(pda::page_of(entry)).or_default().push(WeightUpdate { entry, weight });
        }
        let attestor = self.attestor.insecure_clone();
        by_page
            .into_iter()
            .map(|(page, updates)| {
                env.ok(
                    &[ix::set_weights(
                        &attestor.pubkey(),
                        &self.keys,
                        page,
                        self.epoch,
                        [self.epoch as u8; 32],
                        updates,
                    )],
                    &[&attestor],
                )
            })
            .collect()
    }

    pub fn deposit(&self, env: &mut Env, amount: u64) -> Sent {
        env.ok(&[ix::deposit(&self.depositor.pubkey(), &self.keys, &self.depositor_token, amount)], &[&self.depositor])
    }

    /// Crank `members` (all on one page) with `mode`.
    pub fn crank(
        &self,
        env: &mut Env,
        members: &[usize],
        mode: CrankMode,
        reward_account: Option<Pubkey>,
        cranker: &Keypair,
    ) -> Result<Sent, crate::Failed> {
        let page = pda::page_of(self.members[members[0]].contribution.entry);
        let payouts: Vec<(u32, Pubkey)> =
            members.iter().map(|&m| (self.members[m].contribution.entry, self.members[m].destination)).collect();
        env.send(&[ix::crank(&cranker.pubkey(), &self.keys, page, &payouts, reward_account, mode)], &[cranker])
    }

    pub fn entry(&self, env: &Env, member: usize) -> tributary::state::LedgerEntry {
        let c = &self.members[member].contribution;
        let page = env.page(&self.keys.page_of_entry(c.entry));
        page.entries[(c.entry % ENTRIES_PER_PAGE) as usize]
    }

    pub fn page_key(&self, member: usize) -> Pubkey {
        self.keys.page_of_entry(self.members[member].contribution.entry)
    }
}

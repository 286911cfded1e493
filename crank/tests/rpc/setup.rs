//! Pools with many contributors on a real node, set up with pipelined transactions, and the
//! exactly-once checks every test ends with.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::{Path, PathBuf};
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::ContributionKind;
use tributary::{CreatePoolArgs, WeightUpdate};
use tributary_crank::chain::Chain;
use tributary_crank::rpc::RpcChain;
use tributary_crank::token;
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::accounts as decode;
use tributary_sdk::instructions::{self as ix, PoolKeys};

pub fn keypair(tag: u8, index: u64) -> Keypair {
    let mut secret = [tag; 32];
    secret[..8].copy_from_slice(&index.to_le_bytes());
    Keypair::new_from_array(secret)
}

pub fn key_file(dir: &Path, name: &str, k: &Keypair) -> PathBuf {
    let path = dir.join(format!("{name}.json"));
    tributary_cli::keys::write_keypair(&path, k).expect("write keypair");
    path
}

pub fn airdrop(chain: &mut RpcChain, to: &Pubkey, lamports: u64) {
    let sig = chain.client().request_airdrop(to, lamports).expect("airdrop");
    let (_, last_valid) = chain.latest_blockhash().expect("blockhash");
    let status = tx::confirm(chain, &[(sig, last_valid)], SendOptions::default()).expect("confirm");
    assert_eq!(status, vec![tx::Outcome::Confirmed], "airdrop confirmed");
}

/// Sign every batch with one blockhash, send them all, then wait for all: setup at the speed of
/// the cluster rather than one confirmation per transaction.
pub fn fire(chain: &mut RpcChain, payer: &Keypair, batches: &[(Vec<Instruction>, Vec<&Keypair>)]) {
    for window in batches.chunks(64) {
        let (blockhash, last_valid) = chain.latest_blockhash().expect("blockhash");
        let mut sent = Vec::new();
        for (ixs, signers) in window {
            let built =
                tx::build(payer, signers, ixs, &[], blockhash, Some(400_000), 0, chain.format().expect("format"))
                    .expect("build");
            sent.push((chain.send(&built.tx).unwrap_or_else(|e| panic!("send: {e}")), last_valid));
        }
        let statuses = tx::confirm(chain, &sent, SendOptions::default()).expect("confirm");
        assert!(statuses.iter().all(|s| *s == tx::Outcome::Confirmed), "setup transactions confirmed: {statuses:?}");
    }
}

pub struct Pool {
    pub keys: PoolKeys,
    pub operator: Keypair,
    pub operator_token: Pubkey,
    pub attestor: Keypair,
    pub contributors: Vec<Keypair>,
    pub destinations: Vec<Pubkey>,
    /// Tokens that entered the vault.
    pub total_in: u64,
}

pub fn create_mint(chain: &mut RpcChain, operator: &Keypair, mint: &Keypair, supply: u64) -> Pubkey {
    create_mint_of(chain, operator, mint, supply, token::TOKEN_PROGRAM)
}

/// A mint of `program` (SPL Token or Token-2022), no freeze authority, `supply` in the operator's
/// associated token account.
pub fn create_mint_of(
    chain: &mut RpcChain,
    operator: &Keypair,
    mint: &Keypair,
    supply: u64,
    program: Pubkey,
) -> Pubkey {
    let rent = chain.minimum_balance(82).expect("rent");
    let ata = token::associated_token_address(&operator.pubkey(), &mint.pubkey(), &program);
    let ixs = [
        solana_system_interface::instruction::create_account(&operator.pubkey(), &mint.pubkey(), rent, 82, &program),
        token_ix::initialize_mint2(&program, &mint.pubkey(), &operator.pubkey(), None, 6).expect("ix"),
        token::create_associated_token_account(&operator.pubkey(), &operator.pubkey(), &mint.pubkey(), &program),
        token_ix::mint_to(&program, &mint.pubkey(), &ata, &operator.pubkey(), &[], supply).expect("ix"),
    ];
    tx::submit(chain, operator, &[mint], &ixs, &[], SendOptions::default()).expect("create mint");
    ata
}

impl Pool {
    /// A pool with `n` contributors (weights 1 + entry % 7) and `deposit` base units deposited.
    pub fn create(chain: &mut RpcChain, tag: u8, n: u32, min_payout: u64, deposit: u64) -> Self {
        Self::create_of(chain, tag, n, min_payout, deposit, token::TOKEN_PROGRAM)
    }

    /// [`Pool::create`] on a mint of `token_program`.
    pub fn create_of(
        chain: &mut RpcChain,
        tag: u8,
        n: u32,
        min_payout: u64,
        deposit: u64,
        token_program: Pubkey,
    ) -> Self {
        let operator = keypair(tag, 0);
        let attestor = keypair(tag, 1);
        airdrop(chain, &operator.pubkey(), 500_000_000_000);
        airdrop(chain, &attestor.pubkey(), 1_000_000_000);
        let mint = keypair(tag, 2);
        let operator_token = create_mint_of(chain, &operator, &mint, 1_000_000_000_000_000, token_program);
        let keys = PoolKeys::new(&operator.pubkey(), 1, mint.pubkey(), token_program);
        let args = CreatePoolArgs { pool_id: 1, attestor: attestor.pubkey(), cranker_reward_bps: 10, min_payout };
        tx::submit(
            chain,
            &operator,
            &[],
            &[ix::create_pool(&operator.pubkey(), &keys, args)],
            &[],
            SendOptions::default(),
        )
        .expect("create pool");
        let mut pool = Self {
            keys,
            operator,
            operator_token,
            attestor,
            contributors: Vec::new(),
            destinations: Vec::new(),
            total_in: 0,
        };
        pool.register(chain, tag, n);
        pool.set_weights(chain);
        if deposit > 0 {
            pool.deposit(chain, deposit);
        }
        pool
    }

    fn register(&mut self, chain: &mut RpcChain, tag: u8, n: u32) {
        let contributors: Vec<Keypair> = (0..u64::from(n)).map(|i| keypair(tag.wrapping_add(100), i)).collect();
        // the operator funds everyone's rent, in a few transfers
        let funding: Vec<Instruction> = contributors
            .iter()
            .map(|c| solana_system_interface::instruction::transfer(&self.operator.pubkey(), &c.pubkey(), 20_000_000))
            .collect();
        let batches: Vec<(Vec<Instruction>, Vec<&Keypair>)> =
            funding.chunks(20).map(|c| (c.to_vec(), vec![])).collect();
        fire(chain, &self.operator, &batches);
        // ledger pages first (they open in order), then registrations three to a transaction
        let pages = n.div_ceil(ENTRIES_PER_PAGE);
        for page in 0..pages {
            tx::submit(
                chain,
                &self.operator,
                &[],
                &[ix::open_ledger_page(&self.operator.pubkey(), &self.keys, page)],
                &[],
                SendOptions::default(),
            )
            .expect("open page");
        }
        // a page's registrations may land in any order (the program numbers entries), but each
        // names its page: send them a page at a time
        for (page, members) in contributors.chunks(ENTRIES_PER_PAGE as usize).enumerate() {
            let first = page as u32 * ENTRIES_PER_PAGE;
            let mut batches = Vec::new();
            for (chunk_index, chunk) in members.chunks(3).enumerate() {
                let mut ixs = Vec::new();
                for (i, c) in chunk.iter().enumerate() {
                    let entry = first + (chunk_index * 3 + i) as u32;
                    let program = self.keys.token_program;
                    let destination = token::associated_token_address(&c.pubkey(), &self.keys.mint, &program);
                    ixs.push(token::create_associated_token_account(
                        &self.operator.pubkey(),
                        &c.pubkey(),
                        &self.keys.mint,
                        &program,
                    ));
                    ixs.push(ix::register_contribution(
                        &c.pubkey(),
                        &self.keys,
                        entry,
                        &destination,
                        hash(tag, entry),
                        ContributionKind::Dataset,
                        format!("ipfs://t/{entry}"),
                    ));
                    self.destinations.push(destination);
                }
                batches.push((ixs, chunk.iter().collect::<Vec<_>>()));
            }
            fire(chain, &self.operator, &batches);
        }
        self.contributors = contributors;
    }

    fn set_weights(&mut self, chain: &mut RpcChain) {
        let n = self.contributors.len() as u32;
        let mut batches = Vec::new();
        for page in 0..n.div_ceil(ENTRIES_PER_PAGE) {
            let first = page * ENTRIES_PER_PAGE;
            let updates: Vec<WeightUpdate> = (first..(first + ENTRIES_PER_PAGE).min(n))
                .map(|e| WeightUpdate { entry: e, weight: 1 + u64::from(e % 7) })
                .collect();
            for chunk in updates.chunks(64) {
                batches.push((
                    vec![ix::set_weights(&self.attestor.pubkey(), &self.keys, page, 1, [1; 32], chunk.to_vec())],
                    vec![&self.attestor],
                ));
            }
        }
        fire(chain, &self.attestor, &batches);
    }

    pub fn deposit(&mut self, chain: &mut RpcChain, amount: u64) {
        tx::submit(
            chain,
            &self.operator,
            &[],
            &[ix::deposit(&self.operator.pubkey(), &self.keys, &self.operator_token, amount)],
            &[],
            SendOptions::default(),
        )
        .expect("deposit");
        self.total_in += amount;
    }
}

pub fn hash(tag: u8, entry: u32) -> [u8; 32] {
    let mut h = [tag; 32];
    h[..4].copy_from_slice(&entry.to_le_bytes());
    h
}

/// SOL held by `account`, in lamports.
pub fn balance_lamports(chain: &mut RpcChain, account: &Pubkey) -> u64 {
    chain.get_account(account).expect("account").map_or(0, |a| a.lamports)
}

pub fn balance(chain: &mut RpcChain, account: &Pubkey) -> u64 {
    chain.get_account(account).expect("account").and_then(|a| token::token_balance(&a)).unwrap_or(0)
}

/// Nothing lost, nothing paid twice: every destination holds exactly what its entry records as
/// paid; tokens in = vault + paid out + rewards; the vault covers every obligation exactly.
/// Returns the amount still owed at or above the minimum payout.
pub fn assert_books_exact(chain: &mut RpcChain, pool: &Pool, reward_accounts: &[Pubkey]) -> u64 {
    let view = tributary_crank::crank::load_view(chain, &pool.keys.pool).expect("pool");
    let destinations: Vec<Pubkey> = view.entries().map(|(_, e)| e.destination).collect();
    let accounts = chain.get_accounts(&destinations).expect("destinations");
    let mut paid_out = 0u64;
    for ((entry, e), account) in view.entries().zip(&accounts) {
        let received = account.as_ref().and_then(token::token_balance).unwrap_or(0);
        assert_eq!(received, e.paid, "entry {entry}: tokens received = ledger's paid (never twice)");
        paid_out += received;
    }
    let rewards: u64 = reward_accounts.iter().map(|r| balance(chain, r)).sum();
    let vault = balance(chain, &pool.keys.vault);
    assert_eq!(vault + paid_out + rewards, pool.total_in, "tokens in = vault + paid out + rewards");
    assert_eq!(u128::from(rewards), view.pool.total_cranker_rewards(), "cranker rewards recorded");
    let obligations = decode::obligations_x64(&view.pool, view.entries().map(|(_, e)| e)).expect("obligations");
    assert_eq!(u128::from(vault) << 64, obligations, "vault = owed + pending + carry + held, exactly");
    let min = view.pool.min_payout.max(1);
    view.entries().map(|(_, e)| decode::owed_now(e, &view.pool).expect("owed")).filter(|o| *o >= min).sum()
}

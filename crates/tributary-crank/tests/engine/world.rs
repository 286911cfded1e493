//! A pool on the embedded chain (LiteSVM with the real sBPF build and p-token), driven through the
//! SDK's instruction builders: what the engine tests crank.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tributary::constants::ENTRIES_PER_PAGE;
use tributary::state::ContributionKind;
use tributary::{CreatePoolArgs, UsageShare, WeightUpdate};
use tributary_crank::chain::{Chain, ChainError};
use tributary_crank::svm::SvmChain;
use tributary_crank::token::{self, associated_token_address, create_associated_token_account, TOKEN_PROGRAM};
use tributary_crank::tx::{self, SendOptions};
use tributary_sdk::instructions::{self as ix, ContributionRef, PoolKeys};
use tributary_sdk::pda;

pub fn program_path() -> std::path::PathBuf {
    std::env::var_os("TRIBUTARY_SO").map(Into::into).unwrap_or_else(|| {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy/tributary.so")
    })
}

/// Deterministic keys: the same run gives the same addresses (and compute units).
pub fn keypair(tag: u8, index: u64) -> Keypair {
    let mut secret = [tag; 32];
    secret[..8].copy_from_slice(&index.to_le_bytes());
    Keypair::new_from_array(secret)
}

pub struct Member {
    pub wallet: Keypair,
    pub destination: Pubkey,
    pub contribution: ContributionRef,
}

pub struct World {
    pub chain: SvmChain,
    pub operator: Keypair,
    pub attestor: Keypair,
    pub keys: PoolKeys,
    pub operator_token: Pubkey,
    pub members: Vec<Member>,
    pub epoch: u64,
}

impl World {
    /// A classic SPL Token pool (0 % reward, `min_payout`), the operator holding 10¹⁵ base units.
    pub fn new(min_payout: u64) -> Self {
        Self::with_token_program(min_payout, TOKEN_PROGRAM)
    }

    /// The same pool on `token_program` (SPL Token, which is p-token here, or Token-2022).
    pub fn with_token_program(min_payout: u64, token_program: Pubkey) -> Self {
        let mut chain = SvmChain::new(&program_path()).expect("chain");
        let (operator, attestor, mint) = (keypair(0xA1, 0), keypair(0xA2, 0), keypair(0xA4, 0));
        for k in [&operator, &attestor] {
            chain.airdrop(&k.pubkey(), 10_000_000_000_000).expect("airdrop");
        }
        let rent = chain.minimum_balance(82).expect("rent");
        let operator_token = associated_token_address(&operator.pubkey(), &mint.pubkey(), &token_program);
        let o = operator.pubkey();
        let setup = vec![
            solana_system_interface::instruction::create_account(&o, &mint.pubkey(), rent, 82, &token_program),
            token_ix::initialize_mint2(&token_program, &mint.pubkey(), &o, Some(&o), 6).expect("ix"),
            create_associated_token_account(&o, &o, &mint.pubkey(), &token_program),
            token_ix::mint_to(&token_program, &mint.pubkey(), &operator_token, &o, &[], 1_000_000_000_000_000)
                .expect("ix"),
        ];
        let keys = PoolKeys::new(&o, 1, mint.pubkey(), token_program);
        let mut world = Self { chain, operator, attestor, keys, operator_token, members: Vec::new(), epoch: 0 };
        world.send(&[&mint], &setup).expect("mint");
        let args = CreatePoolArgs { pool_id: 1, attestor: world.attestor.pubkey(), cranker_reward_bps: 0, min_payout };
        world.send(&[], &[ix::create_pool(&o, &world.keys, args)]).expect("pool");
        world
    }

    /// Send `ixs` paid by the operator, signed by `signers` too.
    pub fn send(&mut self, signers: &[&Keypair], ixs: &[Instruction]) -> Result<tx::Landed, ChainError> {
        tx::submit(&mut self.chain, &self.operator, signers, ixs, &[], SendOptions::default())
    }

    /// Register `n` more contributors, each paid to its associated token account.
    pub fn register(&mut self, n: usize) {
        let o = self.operator.pubkey();
        for _ in 0..n {
            let entry = self.members.len() as u32;
            let wallet = keypair(0xC0, u64::from(entry));
            self.chain.airdrop(&wallet.pubkey(), 100_000_000).expect("airdrop");
            let mut ixs =
                vec![create_associated_token_account(&o, &wallet.pubkey(), &self.keys.mint, &self.keys.token_program)];
            if entry.is_multiple_of(ENTRIES_PER_PAGE) && !self.page_exists(pda::page_of(entry)) {
                ixs.push(ix::open_ledger_page(&o, &self.keys, pda::page_of(entry)));
            }
            let destination = associated_token_address(&wallet.pubkey(), &self.keys.mint, &self.keys.token_program);
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&entry.to_le_bytes());
            hash[31] = 0xC0;
            ixs.push(ix::register_contribution(
                &wallet.pubkey(),
                &self.keys,
                entry,
                &destination,
                hash,
                ContributionKind::Dataset,
                format!("ipfs://engine/{entry}"),
            ));
            self.send(&[&wallet], &ixs).expect("register");
            let contribution = ContributionRef { address: pda::contribution(&self.keys.pool, &hash).0, entry };
            self.members.push(Member { wallet, destination, contribution });
        }
    }

    /// Post weights as a new report, one instruction per page and batch.
    pub fn set_weights(&mut self, weights: &[(u32, u64)]) {
        self.epoch += 1;
        let mut by_page: std::collections::BTreeMap<u32, Vec<WeightUpdate>> = Default::default();
        for &(entry, weight) in weights {
            by_page.entry(pda::page_of(entry)).or_default().push(WeightUpdate { entry, weight });
        }
        let attestor = self.attestor.insecure_clone();
        for (page, updates) in by_page {
            for batch in updates.chunks(20) {
                let ix = ix::set_weights(&attestor.pubkey(), &self.keys, page, self.epoch, [7; 32], batch.to_vec());
                self.send(&[&attestor], &[ix]).expect("weights");
            }
        }
    }

    pub fn deposit(&mut self, amount: u64) {
        let ix = ix::deposit(&self.operator.pubkey(), &self.keys, &self.operator_token, amount);
        self.send(&[], &[ix]).expect("deposit");
    }

    pub fn attribute(&mut self, page: u32, fee: u64, shares: Vec<UsageShare>) {
        let ix = ix::attribute_usage(&self.operator.pubkey(), &self.keys, page, &self.operator_token, fee, shares);
        self.send(&[], &[ix]).expect("usage fee");
    }

    /// The member's contributor signs `ix`.
    pub fn as_member(&mut self, m: usize, ix: impl FnOnce(&Pubkey, &PoolKeys, &Member) -> Instruction) {
        let wallet = self.members[m].wallet.insecure_clone();
        let ix = ix(&wallet.pubkey(), &self.keys, &self.members[m]);
        self.send(&[&wallet], &[ix]).unwrap_or_else(|e| panic!("member {m}: {e}"));
    }

    pub fn retire(&mut self, m: usize) {
        self.as_member(m, |w, k, member| ix::retire_contribution(w, k, &member.contribution));
    }

    pub fn claim(&mut self, m: usize) {
        self.as_member(m, |w, k, member| ix::claim(w, k, &member.contribution, &member.destination));
    }

    pub fn close(&mut self, m: usize) {
        self.as_member(m, |w, k, member| ix::close_contribution(w, k, &member.contribution));
    }

    /// Whether ledger page `page` is open (a crank keeping a spare page may have opened it).
    pub fn page_exists(&mut self, page: u32) -> bool {
        self.chain.get_account(&self.keys.page(page)).expect("read").is_some()
    }

    /// A new token account of the pool's mint at `account`'s address, owned by `owner`.
    pub fn token_account(&mut self, account: Keypair, owner: &Pubkey) -> Pubkey {
        let rent = self.chain.minimum_balance(165).expect("rent");
        let ixs = [
            solana_system_interface::instruction::create_account(
                &self.operator.pubkey(),
                &account.pubkey(),
                rent,
                165,
                &self.keys.token_program,
            ),
            token_ix::initialize_account3(&self.keys.token_program, &account.pubkey(), &self.keys.mint, owner)
                .expect("ix"),
        ];
        self.send(&[&account], &ixs).expect("token account");
        account.pubkey()
    }

    pub fn balance(&mut self, account: &Pubkey) -> u64 {
        self.chain.get_account(account).expect("read").and_then(|a| token::token_balance(&a)).unwrap_or(0)
    }
}

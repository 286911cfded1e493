use crate::constants::POOL_SEED;
use crate::errors::TributaryError;
use anchor_lang::prelude::*;

/// A revenue pool for one model or data network, paid in one mint.
///
/// Zero-copy, like `LedgerPage`: every instruction, the crank's fast route included, reads and
/// writes it through this struct. `repr(C)`, 8-byte aligned, no implicit padding: keys first, then
/// the 128-bit values as little-endian u64 halves (as `LedgerEntry::snapshot`: a `u128` is 16-byte
/// aligned on some toolchains, ours included, and account data is only 8-byte aligned), then the
/// smaller fields, largest first. Read the 128-bit values through the methods of the same name.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Pool {
    /// Signer of `create_pool`; with `pool_id` it seeds the PDA, so it never changes.
    pub creator: Pubkey,
    /// Pauses, configures, rotates the attestor, closes. Transferred in two steps.
    pub authority: Pubkey,
    /// The proposed next authority; the all-zero key (base58 `1111…1`) when none is proposed.
    pub pending_authority: Pubkey,
    /// Posts attribution weights.
    pub attestor: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    /// Hash of the latest attribution report (of `epoch`).
    pub report_hash: [u8; 32],
    /// Revenue per unit of weight, in 2⁻⁶⁴ base units (see `tributary_math`). 128-bit values here
    /// and below: `[low, high]` u64 halves.
    pub acc_per_weight: [u64; 2],
    /// Revenue deposited, in base units (128-bit).
    pub total_deposited: [u64; 2],
    /// Usage fees paid in, in base units (128-bit).
    pub total_usage_fees: [u64; 2],
    /// Sent to contributors by cranks and claims, in base units (128-bit).
    pub total_paid: [u64; 2],
    /// Kept back as cranker rewards, in base units (128-bit).
    pub total_cranker_rewards: [u64; 2],
    pub pool_id: u64,
    /// Division remainder of deposits, in 2⁻⁶⁴ base units: never lost, joins the next deposit.
    pub carry: u64,
    /// Revenue that arrived while the total weight was zero; spread at the next deposit.
    pub held: u64,
    pub total_weight: u64,
    /// The crank leaves smaller amounts owed (claims have no minimum).
    pub min_payout: u64,
    /// Epoch of the latest attribution report.
    pub epoch: u64,
    /// Lamports this account holds, beyond its own rent, toward the pool's next ledger pages: a
    /// closed contribution leaves its slot's share of a page here (its slot is never used again),
    /// and whoever opens a page is paid back from it (see `LedgerPage::slot_share`).
    pub page_fund: u64,
    /// Entries ever registered: the next entry's index.
    pub entry_count: u32,
    pub ledger_pages: u32,
    /// Contributions not yet closed.
    pub active_contributions: u32,
    /// Share of each crank payout that goes to the cranker (≤ 100 bps).
    pub cranker_reward_bps: u16,
    pub bump: u8,
    pub vault_bump: u8,
    pub decimals: u8,
    /// 1 while paused, else 0.
    pub paused: u8,
    /// Layout version (`POOL_VERSION`): a later program tells older pools by it.
    pub version: u8,
    /// Zero; room for later fields (with `_reserved`).
    pub _reserved_small: [u8; 5],
    /// Zero; room for later fields.
    pub _reserved: [u64; 8],
}

const _: () = assert!(core::mem::size_of::<Pool>() == 480);
const _: () = assert!(core::mem::align_of::<Pool>() == 8);

impl Pool {
    pub const SPACE: usize = 8 + core::mem::size_of::<Pool>();

    /// The proposed next authority, if any.
    pub fn pending_authority(&self) -> Option<Pubkey> {
        (self.pending_authority != Pubkey::default()).then_some(self.pending_authority)
    }

    pub fn is_paused(&self) -> bool {
        self.paused != 0
    }

    pub fn acc_per_weight(&self) -> u128 {
        wide(self.acc_per_weight)
    }
    pub fn total_deposited(&self) -> u128 {
        wide(self.total_deposited)
    }
    pub fn total_usage_fees(&self) -> u128 {
        wide(self.total_usage_fees)
    }
    pub fn total_paid(&self) -> u128 {
        wide(self.total_paid)
    }
    pub fn total_cranker_rewards(&self) -> u128 {
        wide(self.total_cranker_rewards)
    }

    /// Count a deposit in the totals (informational: saturates, never blocks).
    pub fn record_deposit(&mut self, amount: u64) {
        self.total_deposited = saturating_add_wide(self.total_deposited, amount);
    }

    /// Count a usage fee in the totals (informational: saturates, never blocks).
    pub fn record_usage_fee(&mut self, fee: u64) {
        self.total_usage_fees = saturating_add_wide(self.total_usage_fees, fee);
    }

    /// The pool PDA's signer seeds, copied out: a CPI that signs with them must not hold a
    /// reference into the pool's data.
    pub fn signer_seeds(&self) -> PoolSeeds {
        PoolSeeds { creator: self.creator.to_bytes(), pool_id: self.pool_id.to_le_bytes(), bump: [self.bump] }
    }

    pub fn is_token_2022(&self) -> bool {
        self.token_program == anchor_spl::token_2022::ID
    }

    /// Take in revenue: spread it (with anything held) over the weight, or hold it while there is none.
    pub fn add_revenue(&mut self, amount: u64) -> Result<()> {
        let amount = self.held.checked_add(amount).ok_or(TributaryError::MathOverflow)?;
        if self.total_weight == 0 {
            self.held = amount;
            return Ok(());
        }
        // `acc_per_weight` grows by amount · 2⁶⁴ / total_weight and never shrinks: over its life a pool
        // takes at most 2⁶⁴ base units of revenue per unit of weight. Past that, refuse by name: the
        // attestor can scale the weights up, which makes each later deposit's increment smaller.
        let d =
            tributary_math::distribute(self.acc_per_weight(), self.carry, amount, self.total_weight).map_err(|e| {
                match e {
                    tributary_math::MathError::Overflow => error!(TributaryError::RevenuePerWeightOverflow),
                    other => error!(TributaryError::from(other)),
                }
            })?;
        self.acc_per_weight = tributary_math::split(d.acc);
        self.carry = d.carry;
        self.held = 0;
        Ok(())
    }

    /// Keep the sub-unit earnings of a closed entry: they join the carry, whole units the held revenue.
    pub fn absorb_frac(&mut self, frac: u64) -> Result<()> {
        let sum = u128::from(self.carry) + u128::from(frac);
        self.carry = sum as u64;
        self.held = self.held.checked_add((sum >> 64) as u64).ok_or(TributaryError::MathOverflow)?;
        Ok(())
    }

    /// Replace an entry's weight in the total.
    pub fn reweigh(&mut self, old: u64, new: u64) -> Result<()> {
        self.total_weight = self
            .total_weight
            .checked_sub(old)
            .and_then(|w| w.checked_add(new))
            .ok_or(TributaryError::WeightOverflow)?;
        Ok(())
    }

    /// What the page fund pays back to whoever opens a page whose rent is `page_rent`.
    pub fn page_fund_share(&self, page_rent: u64) -> u64 {
        self.page_fund.min(page_rent)
    }

    /// Take `amount` lamports out of the page fund (what an opener is paid back).
    pub fn draw_page_fund(&mut self, amount: u64) -> Result<()> {
        self.page_fund = self.page_fund.checked_sub(amount).ok_or(TributaryError::MathOverflow)?;
        Ok(())
    }

    /// Count `amount` lamports just moved into this account toward later pages.
    pub fn add_page_fund(&mut self, amount: u64) -> Result<()> {
        self.page_fund = self.page_fund.checked_add(amount).ok_or(TributaryError::MathOverflow)?;
        Ok(())
    }

    /// What must hold after every instruction that changes the pool: no more contributions live
    /// than were registered, no more registered than its open pages hold, the reward within its
    /// cap, and never more paid out than came in.
    pub fn invariant(&self) -> Result<()> {
        let capacity = u64::from(self.ledger_pages) * u64::from(crate::constants::ENTRIES_PER_PAGE);
        let paid_out = self.total_paid().saturating_add(self.total_cranker_rewards());
        let paid_in = self.total_deposited().saturating_add(self.total_usage_fees());
        require!(
            self.active_contributions <= self.entry_count
                && u64::from(self.entry_count) <= capacity
                && self.cranker_reward_bps <= crate::constants::MAX_CRANKER_REWARD_BPS
                && paid_out <= paid_in,
            TributaryError::PoolInvariantViolated
        );
        Ok(())
    }

    pub fn record_paid(&mut self, to_contributors: u64, rewards: u64) {
        // u128 totals of u64 amounts cannot overflow in any realistic lifetime (2⁶⁴ transfers)
        self.total_paid = saturating_add_wide(self.total_paid, to_contributors);
        self.total_cranker_rewards = saturating_add_wide(self.total_cranker_rewards, rewards);
    }
}

fn wide(halves: [u64; 2]) -> u128 {
    u128::from(halves[0]) | (u128::from(halves[1]) << 64)
}

fn saturating_add_wide(total: [u64; 2], amount: u64) -> [u64; 2] {
    tributary_math::split(wide(total).saturating_add(u128::from(amount)))
}

/// A pool PDA's signer seeds, owned.
pub struct PoolSeeds {
    creator: [u8; 32],
    pool_id: [u8; 8],
    bump: [u8; 1],
}

impl PoolSeeds {
    pub fn as_slices(&self) -> [&[u8]; 4] {
        [POOL_SEED, &self.creator, &self.pool_id, &self.bump]
    }

    /// The seeds in the form the raw CPI takes.
    pub fn signer(&self) -> crate::utils::cpi::PdaSigner<'_> {
        crate::utils::cpi::PdaSigner::new(&self.as_slices())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(pending_authority: Pubkey) -> Pool {
        let key = |b: u8| Pubkey::new_from_array([b; 32]);
        Pool {
            creator: key(1),
            authority: key(2),
            pending_authority,
            attestor: key(4),
            mint: key(5),
            token_program: key(6),
            vault: key(7),
            report_hash: [21; 32],
            acc_per_weight: [11, 7],
            total_deposited: [22, 0],
            total_usage_fees: [23, 0],
            total_paid: [u64::MAX - 5, u64::MAX],
            total_cranker_rewards: [0, 1 << 6],
            pool_id: 0x0102_0304_0506_0708,
            carry: 12,
            held: 13,
            total_weight: 14,
            min_payout: 19,
            epoch: 20,
            page_fund: 24,
            entry_count: 15,
            ledger_pages: 16,
            active_contributions: 17,
            cranker_reward_bps: 0x0102,
            bump: 250,
            vault_bump: 249,
            decimals: 9,
            paused: 1,
            version: crate::constants::POOL_VERSION,
            _reserved_small: [0; 5],
            _reserved: [0; 8],
        }
    }

    /// The IDL describes the pool as its fields one after another (how Codama's clients and any
    /// borsh reader decode it): that holds only if `repr(C)` put no padding anywhere.
    #[test]
    fn the_bytes_are_the_fields_in_order_with_no_padding() {
        let p = pool(Pubkey::new_from_array([3; 32]));
        let mut expected = Vec::new();
        for key in [p.creator, p.authority, p.pending_authority, p.attestor, p.mint, p.token_program, p.vault] {
            expected.extend_from_slice(key.as_ref());
        }
        expected.extend_from_slice(&p.report_hash);
        for value in
            [p.acc_per_weight(), p.total_deposited(), p.total_usage_fees(), p.total_paid(), p.total_cranker_rewards()]
        {
            expected.extend_from_slice(&value.to_le_bytes());
        }
        for word in [p.pool_id, p.carry, p.held, p.total_weight, p.min_payout, p.epoch, p.page_fund] {
            expected.extend_from_slice(&word.to_le_bytes());
        }
        for count in [p.entry_count, p.ledger_pages, p.active_contributions] {
            expected.extend_from_slice(&count.to_le_bytes());
        }
        expected.extend_from_slice(&p.cranker_reward_bps.to_le_bytes());
        expected.extend_from_slice(&[p.bump, p.vault_bump, p.decimals, p.paused, p.version]);
        expected.extend_from_slice(&p._reserved_small);
        for word in p._reserved {
            expected.extend_from_slice(&word.to_le_bytes());
        }
        // room to grow: at least 64 bytes nobody reads yet
        assert!(p._reserved_small.len() + 8 * p._reserved.len() >= 64);
        assert_eq!(bytemuck::bytes_of(&p), expected.as_slice());
    }

    #[test]
    fn totals_saturate_and_read_back_whole() {
        let mut p = pool(Pubkey::default());
        assert_eq!(p.total_paid(), u128::MAX - 5);
        p.record_paid(9, 1);
        assert_eq!((p.total_paid(), p.total_cranker_rewards()), (u128::MAX, (1 << 70) + 1));
        p.record_deposit(u64::MAX);
        assert_eq!(p.total_deposited(), 22 + u128::from(u64::MAX));
    }

    #[test]
    fn signer_seeds_are_the_pda_seeds() {
        let p = pool(Pubkey::default());
        let seeds = p.signer_seeds();
        let expected: [&[u8]; 4] = [POOL_SEED, p.creator.as_ref(), &p.pool_id.to_le_bytes(), &[p.bump]];
        assert_eq!(seeds.as_slices(), expected);
    }

    #[test]
    fn no_pending_authority_is_all_zeros() {
        assert_eq!(pool(Pubkey::default()).pending_authority(), None);
        let next = Pubkey::new_from_array([3; 32]);
        assert_eq!(pool(next).pending_authority(), Some(next));
    }

    #[test]
    fn the_invariant_holds_for_consistent_books_and_catches_each_inconsistency() {
        let consistent = || {
            let mut p = pool(Pubkey::default());
            (p.entry_count, p.active_contributions, p.ledger_pages, p.cranker_reward_bps) = (100, 90, 2, 100);
            (p.total_deposited, p.total_usage_fees, p.total_paid, p.total_cranker_rewards) =
                ([50, 0], [10, 0], [55, 0], [5, 0]);
            p
        };
        assert!(consistent().invariant().is_ok());
        let broken: [fn(&mut Pool); 4] = [
            |p| p.active_contributions = p.entry_count + 1,
            |p| p.entry_count = p.ledger_pages * crate::constants::ENTRIES_PER_PAGE + 1,
            |p| p.cranker_reward_bps = crate::constants::MAX_CRANKER_REWARD_BPS + 1,
            |p| p.record_paid(1, 0), // more out than came in
        ];
        for (i, breaking) in broken.iter().enumerate() {
            let mut p = consistent();
            breaking(&mut p);
            assert!(p.invariant().is_err(), "case {i}");
        }
    }
}

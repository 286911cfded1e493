use crate::constants::POOL_SEED;
use crate::errors::TributaryError;
use anchor_lang::prelude::*;

/// A revenue pool for one model or data network, paid in one mint.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    /// Signer of `create_pool`; with `pool_id` it seeds the PDA, so it never changes.
    pub creator: Pubkey,
    pub pool_id: u64,
    pub bump: u8,
    pub vault_bump: u8,
    /// Pauses, configures, rotates the attestor, closes. Transferred in two steps.
    pub authority: Pubkey,
    pub pending_authority: Option<Pubkey>,
    /// Posts attribution weights.
    pub attestor: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub decimals: u8,
    /// Revenue per unit of weight, in 2⁻⁶⁴ base units (see `tributary_math`).
    pub acc_per_weight: u128,
    /// Division remainder of deposits, in 2⁻⁶⁴ base units: never lost, joins the next deposit.
    pub carry: u64,
    /// Revenue that arrived while the total weight was zero; spread at the next deposit.
    pub held: u64,
    pub total_weight: u64,
    /// Entries ever registered: the next entry's index.
    pub entry_count: u32,
    pub ledger_pages: u32,
    /// Contributions not yet closed.
    pub active_contributions: u32,
    /// Share of each crank payout that goes to the cranker (≤ 100 bps).
    pub cranker_reward_bps: u16,
    /// The crank leaves smaller amounts owed (claims have no minimum).
    pub min_payout: u64,
    pub paused: bool,
    /// Epoch and hash of the latest attribution report.
    pub epoch: u64,
    pub report_hash: [u8; 32],
    pub total_deposited: u128,
    pub total_usage_fees: u128,
    /// Sent to contributors by cranks and claims.
    pub total_paid: u128,
    pub total_cranker_rewards: u128,
}

impl Pool {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn signer_seeds(&self) -> [&[u8]; 4] {
        [POOL_SEED, self.creator.as_ref(), bytemuck::bytes_of(&self.pool_id), core::slice::from_ref(&self.bump)]
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
        let d = tributary_math::distribute(self.acc_per_weight, self.carry, amount, self.total_weight).map_err(
            |e| match e {
                tributary_math::MathError::Overflow => error!(TributaryError::RevenuePerWeightOverflow),
                other => error!(TributaryError::from(other)),
            },
        )?;
        self.acc_per_weight = d.acc;
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

    /// What must hold after every instruction that changes the pool: no more contributions live
    /// than were registered, no more registered than its open pages hold, the reward within its
    /// cap, and never more paid out than came in.
    pub fn invariant(&self) -> Result<()> {
        let capacity = u64::from(self.ledger_pages) * u64::from(crate::constants::ENTRIES_PER_PAGE);
        let paid_out = self.total_paid.saturating_add(self.total_cranker_rewards);
        let paid_in = self.total_deposited.saturating_add(self.total_usage_fees);
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
        self.total_paid = self.total_paid.saturating_add(u128::from(to_contributors));
        self.total_cranker_rewards = self.total_cranker_rewards.saturating_add(u128::from(rewards));
    }
}

/// The fields of a serialized `Pool` that the crank reads and writes, read in place (a borsh
/// round trip of the whole pool would cost more than a dozen payouts). Borsh packs the fields, and
/// every field after `pending_authority` sits 32 bytes further when it is `Some`; the offsets below
/// are checked against the serializer in this module's tests.
pub struct CrankPool<'a> {
    data: &'a mut [u8],
    /// Offset of `attestor`, the first field after `pending_authority`.
    tail: usize,
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

mod offset {
    pub const CREATOR: usize = 8;
    pub const POOL_ID: usize = 40;
    pub const BUMP: usize = 48;
    pub const PENDING_AUTHORITY: usize = 82;
    // from `tail`
    pub const MINT: usize = 32;
    pub const TOKEN_PROGRAM: usize = 64;
    pub const VAULT: usize = 96;
    pub const DECIMALS: usize = 128;
    pub const ACC_PER_WEIGHT: usize = 129;
    pub const CRANKER_REWARD_BPS: usize = 181;
    pub const MIN_PAYOUT: usize = 183;
    pub const PAUSED: usize = 191;
    pub const TOTAL_PAID: usize = 264;
    pub const TOTAL_CRANKER_REWARDS: usize = 280;
    pub const END: usize = 296;
}

impl<'a> CrankPool<'a> {
    /// `data` is a pool account's data whose owner and discriminator the caller checked.
    pub fn new(data: &'a mut [u8]) -> Result<Self> {
        let tail = match data.get(offset::PENDING_AUTHORITY) {
            Some(0) => offset::PENDING_AUTHORITY + 1,
            Some(1) => offset::PENDING_AUTHORITY + 1 + 32,
            _ => return err!(ErrorCode::AccountDidNotDeserialize),
        };
        require!(data.len() >= tail + offset::END, ErrorCode::AccountDidNotDeserialize);
        Ok(Self { data, tail })
    }

    fn bytes<const L: usize>(&self, at: usize) -> [u8; L] {
        let mut out = [0u8; L];
        out.copy_from_slice(&self.data[at..at + L]);
        out
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.bytes(at))
    }

    pub fn mint(&self) -> Pubkey {
        Pubkey::new_from_array(self.bytes(self.tail + offset::MINT))
    }
    pub fn token_program(&self) -> Pubkey {
        Pubkey::new_from_array(self.bytes(self.tail + offset::TOKEN_PROGRAM))
    }
    pub fn vault(&self) -> Pubkey {
        Pubkey::new_from_array(self.bytes(self.tail + offset::VAULT))
    }
    pub fn decimals(&self) -> u8 {
        self.data[self.tail + offset::DECIMALS]
    }
    /// `acc_per_weight` as little-endian 64-bit halves.
    pub fn acc_per_weight(&self) -> [u64; 2] {
        let at = self.tail + offset::ACC_PER_WEIGHT;
        [self.u64_at(at), self.u64_at(at + 8)]
    }
    pub fn cranker_reward_bps(&self) -> u16 {
        u16::from_le_bytes(self.bytes(self.tail + offset::CRANKER_REWARD_BPS))
    }
    pub fn min_payout(&self) -> u64 {
        self.u64_at(self.tail + offset::MIN_PAYOUT)
    }
    pub fn paused(&self) -> bool {
        self.data[self.tail + offset::PAUSED] != 0
    }

    /// The pool PDA's signer seeds (`creator`, `pool_id` and `bump` sit before `pending_authority`),
    /// copied out: the CPIs that sign with them must not read the pool's data.
    pub fn signer_seeds(&self) -> PoolSeeds {
        PoolSeeds {
            creator: self.bytes(offset::CREATOR),
            pool_id: self.bytes(offset::POOL_ID),
            bump: self.bytes(offset::BUMP),
        }
    }

    /// [`Pool::record_paid`] on the serialized totals.
    pub fn record_paid(&mut self, to_contributors: u64, rewards: u64) {
        for (at, amount) in [(offset::TOTAL_PAID, to_contributors), (offset::TOTAL_CRANKER_REWARDS, rewards)] {
            let at = self.tail + at;
            let total = u128::from_le_bytes(self.bytes(at)).saturating_add(u128::from(amount));
            self.data[at..at + 16].copy_from_slice(&total.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(pending_authority: Option<Pubkey>) -> Pool {
        let key = |b: u8| Pubkey::new_from_array([b; 32]);
        Pool {
            creator: key(1),
            pool_id: 0x0102_0304_0506_0708,
            bump: 250,
            vault_bump: 249,
            authority: key(2),
            pending_authority,
            attestor: key(4),
            mint: key(5),
            token_program: key(6),
            vault: key(7),
            decimals: 9,
            acc_per_weight: (7u128 << 64) | 11,
            carry: 12,
            held: 13,
            total_weight: 14,
            entry_count: 15,
            ledger_pages: 16,
            active_contributions: 17,
            cranker_reward_bps: 0x0102,
            min_payout: 19,
            paused: true,
            epoch: 20,
            report_hash: [21; 32],
            total_deposited: 22,
            total_usage_fees: 23,
            total_paid: u128::MAX - 5,
            total_cranker_rewards: 1 << 70,
        }
    }

    #[test]
    fn the_crank_view_reads_and_writes_what_borsh_does() {
        for pending in [None, Some(Pubkey::new_from_array([3; 32]))] {
            let mut expected = pool(pending);
            let mut data = vec![0u8; Pool::SPACE];
            expected.try_serialize(&mut data.as_mut_slice()).expect("serialize");
            let mut view = CrankPool::new(&mut data).expect("view");
            assert_eq!(view.mint(), expected.mint);
            assert_eq!(view.token_program(), expected.token_program);
            assert_eq!(view.vault(), expected.vault);
            assert_eq!(view.decimals(), expected.decimals);
            let [lo, hi] = view.acc_per_weight();
            assert_eq!(u128::from(lo) | (u128::from(hi) << 64), expected.acc_per_weight);
            assert_eq!(view.cranker_reward_bps(), expected.cranker_reward_bps);
            assert_eq!(view.min_payout(), expected.min_payout);
            assert_eq!(view.paused(), expected.paused);
            assert_eq!(view.signer_seeds().as_slices(), expected.signer_seeds());
            view.record_paid(9, 1);
            expected.record_paid(9, 1);
            let written = Pool::try_deserialize(&mut data.as_slice()).expect("deserialize");
            assert_eq!(format!("{written:?}"), format!("{expected:?}"), "only the totals changed, as record_paid does");
        }
    }

    #[test]
    fn the_invariant_holds_for_consistent_books_and_catches_each_inconsistency() {
        let consistent = || {
            let mut p = pool(None);
            (p.entry_count, p.active_contributions, p.ledger_pages, p.cranker_reward_bps) = (100, 90, 2, 100);
            (p.total_deposited, p.total_usage_fees, p.total_paid, p.total_cranker_rewards) = (50, 10, 55, 5);
            p
        };
        assert!(consistent().invariant().is_ok());
        let broken: [fn(&mut Pool); 4] = [
            |p| p.active_contributions = p.entry_count + 1,
            |p| p.entry_count = p.ledger_pages * crate::constants::ENTRIES_PER_PAGE + 1,
            |p| p.cranker_reward_bps = crate::constants::MAX_CRANKER_REWARD_BPS + 1,
            |p| p.total_paid += 1, // more out than came in
        ];
        for (i, breaking) in broken.iter().enumerate() {
            let mut p = consistent();
            breaking(&mut p);
            assert!(p.invariant().is_err(), "case {i}");
        }
    }

    #[test]
    fn a_malformed_option_tag_or_short_data_is_refused() {
        let mut data = vec![0u8; Pool::SPACE];
        pool(None).try_serialize(&mut data.as_mut_slice()).expect("serialize");
        data[offset::PENDING_AUTHORITY] = 2;
        assert!(CrankPool::new(&mut data).is_err());
        data[offset::PENDING_AUTHORITY] = 1; // `Some` needs 32 more bytes than a `None` pool wrote
        let len = offset::PENDING_AUTHORITY + 1 + offset::END;
        assert!(CrankPool::new(&mut data[..len]).is_err());
    }
}

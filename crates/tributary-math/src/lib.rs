//! Tributary's accounting math, with no Solana types so it can be tested exhaustively on the host.
//!
//! # Units
//! Revenue is spread over attribution weight with a *revenue-per-weight accumulator* `acc` in binary
//! fixed point: one unit of `acc` is 2⁻⁶⁴ token base units per unit of weight. An entry of weight `w`
//! whose snapshot is `s` has earned `w · (acc − s)` units of 2⁻⁶⁴ base units since it last settled.
//!
//! # Exactness
//! Nothing is rounded away:
//! - a deposit divides `amount · 2⁶⁴ + carry` by the total weight; the remainder (`carry`, always
//!   less than one base unit in total) is kept and joins the next deposit;
//! - settling an entry keeps the sub-unit part of its earnings (`frac`, < 1 base unit) in the entry.
//!
//! So, in units of 2⁻⁶⁴ base units, for every pool at every moment:
//! `Σ deposited·2⁶⁴ = Σ (paid + rewards + owed)·2⁶⁴ + Σ (w·(acc − s) + frac) + carry + held·2⁶⁴`.
//!
//! Only multiplications and shifts run per payout; the one 128-bit division is in [`distribute`],
//! which runs once per deposit whatever the number of entries.
#![no_std]
#![deny(arithmetic_overflow)]
#![warn(clippy::arithmetic_side_effects)]

#[cfg(feature = "model")]
extern crate alloc;
#[cfg(feature = "model")]
pub mod model;

/// Bits of fraction in the accumulator.
pub const SCALE_BITS: u32 = 64;
/// Basis points in one whole.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// Highest cranker reward a pool may set: 1 %.
pub const MAX_CRANKER_REWARD_BPS: u16 = 100;

/// Why a computation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathError {
    /// A result does not fit its type.
    Overflow,
    /// Revenue cannot be spread over zero weight (callers hold it instead).
    ZeroTotalWeight,
    /// Usage shares must be positive and add up to exactly 10,000 bps.
    InvalidShares,
    /// A basis-point rate above 10,000.
    InvalidBps,
}

/// The accumulator and carry after spreading revenue over the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Distribution {
    /// New revenue-per-weight accumulator.
    pub acc: u128,
    /// Division remainder in 2⁻⁶⁴ base units, always `< total_weight`.
    pub carry: u64,
}

/// Spread `amount` base units (plus the carried remainder) over `total_weight`.
///
/// `amount · 2⁶⁴ + carry` cannot overflow: `carry < 2⁶⁴`, so it is `(amount << 64) | carry`.
pub fn distribute(acc: u128, carry: u64, amount: u64, total_weight: u64) -> Result<Distribution, MathError> {
    if total_weight == 0 {
        return Err(MathError::ZeroTotalWeight);
    }
    let numerator = (u128::from(amount) << SCALE_BITS) | u128::from(carry);
    let weight = u128::from(total_weight);
    let per_weight = numerator.checked_div(weight).ok_or(MathError::ZeroTotalWeight)?;
    let remainder = numerator.checked_rem(weight).ok_or(MathError::ZeroTotalWeight)?;
    Ok(Distribution {
        acc: acc.checked_add(per_weight).ok_or(MathError::Overflow)?,
        // remainder < total_weight ≤ u64::MAX
        carry: u64::try_from(remainder).map_err(|_| MathError::Overflow)?,
    })
}

/// What an entry earned since its snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accrual {
    /// Whole base units earned (including the previous `frac`).
    pub amount: u64,
    /// Sub-unit part to keep, in 2⁻⁶⁴ base units.
    pub frac: u64,
}

/// Earnings of `weight` between `snapshot` and `acc`, plus the sub-unit `frac` kept from before.
///
/// Computes `weight · (acc − snapshot) + frac` as a 192-bit value from 64-bit limbs and splits it at
/// 2⁶⁴: no division and no 128-bit library call, because this runs once per payout on sBPF.
#[inline]
pub fn accrue(weight: u64, acc: u128, snapshot: u128, frac: u64) -> Result<Accrual, MathError> {
    accrue_limbs(weight, split(acc), split(snapshot), frac)
}

/// A 128-bit value as little-endian 64-bit halves `[low, high]`.
#[inline(always)]
pub fn split(value: u128) -> [u64; 2] {
    [value as u64, (value >> SCALE_BITS) as u64]
}

/// [`accrue`] on 64-bit halves, the form in which the ledger stores snapshots.
#[inline(always)]
pub fn accrue_limbs(weight: u64, acc: [u64; 2], snapshot: [u64; 2], frac: u64) -> Result<Accrual, MathError> {
    // delta = acc − snapshot, which may not be negative
    let (delta_lo, borrow) = acc[0].overflowing_sub(snapshot[0]);
    let (delta_hi, under1) = acc[1].overflowing_sub(snapshot[1]);
    let (delta_hi, under2) = delta_hi.overflowing_sub(u64::from(borrow));
    if under1 || under2 {
        return Err(MathError::Overflow);
    }
    if (delta_lo | delta_hi) == 0 || weight == 0 {
        return Ok(Accrual { amount: 0, frac });
    }
    // weight·delta + frac = (weight·delta_hi)·2⁶⁴ + weight·delta_lo + frac
    let (lo_hi, lo_lo) = mul_wide(weight, delta_lo);
    let (hi_hi, hi_lo) = mul_wide(weight, delta_hi);
    let (new_frac, carry) = lo_lo.overflowing_add(frac);
    // whole units = (weight·delta_hi) + lo_hi + carry, which must fit in 64 bits
    let (amount, o1) = hi_lo.overflowing_add(lo_hi);
    let (amount, o2) = amount.overflowing_add(u64::from(carry));
    if hi_hi != 0 || o1 || o2 {
        return Err(MathError::Overflow);
    }
    Ok(Accrual { amount, frac: new_frac })
}

/// `a · b` as (high, low) 64-bit halves, from 32-bit pieces (no 128-bit multiply call on sBPF).
/// Weights and per-settlement deltas usually fit in 32 bits, so those cases take one or two
/// multiplications instead of four.
#[inline(always)]
pub fn mul_wide(a: u64, b: u64) -> (u64, u64) {
    const MASK: u64 = 0xffff_ffff;
    if (a | b) >> 32 == 0 {
        return (0, a.wrapping_mul(b)); // both < 2³²: the product is < 2⁶⁴
    }
    let (b0, b1) = (b & MASK, b >> 32);
    if a >> 32 == 0 {
        // a·b = a·b1·2³² + a·b0, each product < 2⁶⁴; `mid` < 2³³
        let (p0, p1) = (a.wrapping_mul(b0), a.wrapping_mul(b1));
        let mid = (p0 >> 32).wrapping_add(p1 & MASK);
        return ((p1 >> 32).wrapping_add(mid >> 32), (mid << 32) | (p0 & MASK));
    }
    let (a0, a1) = (a & MASK, a >> 32);
    // No wrap can happen: each product of two 32-bit pieces is < 2⁶⁴; `mid` < 3·2³²; the high
    // half is at most (2³²−1)² + 2·(2³²−1) + 2 < 2⁶⁴. Wrapping ops only spare the checks.
    let (p00, p01, p10, p11) = (a0.wrapping_mul(b0), a0.wrapping_mul(b1), a1.wrapping_mul(b0), a1.wrapping_mul(b1));
    let mid = (p00 >> 32).wrapping_add(p01 & MASK).wrapping_add(p10 & MASK);
    let high = p11.wrapping_add(p01 >> 32).wrapping_add(p10 >> 32).wrapping_add(mid >> 32);
    (high, (mid << 32) | (p00 & MASK))
}

/// `floor(amount · bps / 10,000)` without a 128-bit intermediate.
pub fn mul_bps_floor(amount: u64, bps: u64) -> Result<u64, MathError> {
    if bps > BPS_DENOMINATOR {
        return Err(MathError::InvalidBps);
    }
    // amount = a·10⁴ + b  ⇒  amount·bps/10⁴ = a·bps + b·bps/10⁴, with b·bps < 10⁸
    let whole = (amount / BPS_DENOMINATOR).checked_mul(bps).ok_or(MathError::Overflow)?;
    let part = (amount % BPS_DENOMINATOR).checked_mul(bps).ok_or(MathError::Overflow)? / BPS_DENOMINATOR;
    whole.checked_add(part).ok_or(MathError::Overflow)
}

/// A payout split between the contributor and the cranker who pushed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayoutSplit {
    /// Sent to the contributor's destination.
    pub to_contributor: u64,
    /// Kept back for the cranker.
    pub reward: u64,
}

/// Split `owed` into the contributor's part and the cranker's reward (floor, so contributors keep
/// the rounding).
pub fn split_payout(owed: u64, reward_bps: u16) -> Result<PayoutSplit, MathError> {
    let reward = mul_bps_floor(owed, u64::from(reward_bps))?;
    Ok(PayoutSplit { to_contributor: owed.checked_sub(reward).ok_or(MathError::Overflow)?, reward })
}

/// Check usage shares: each positive, summing to exactly 10,000 bps.
pub fn check_shares(shares_bps: impl IntoIterator<Item = u16>) -> Result<(), MathError> {
    let mut sum: u64 = 0;
    for share in shares_bps {
        if share == 0 {
            return Err(MathError::InvalidShares);
        }
        sum = sum.checked_add(u64::from(share)).ok_or(MathError::InvalidShares)?;
    }
    if sum == BPS_DENOMINATOR {
        Ok(())
    } else {
        Err(MathError::InvalidShares)
    }
}

/// One entry's part of a usage fee: `floor(fee · share / 10,000)`. The parts of a fee whose shares
/// passed [`check_shares`] never add up to more than the fee; the caller spreads the remainder.
pub fn usage_share(fee: u64, share_bps: u16) -> Result<u64, MathError> {
    mul_bps_floor(fee, u64::from(share_bps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribute_keeps_the_remainder() {
        let d = distribute(0, 0, 10, 3).unwrap();
        // 10·2⁶⁴ = 3·q + r
        assert_eq!(d.acc * 3 + u128::from(d.carry), 10u128 << 64);
        assert!(d.carry < 3);
        assert_eq!(distribute(0, 0, 1, 0), Err(MathError::ZeroTotalWeight));
    }

    #[test]
    fn distribute_at_the_edges() {
        let d = distribute(0, u64::MAX - 1, u64::MAX, u64::MAX).unwrap();
        assert_eq!(
            d.acc * u128::from(u64::MAX) + u128::from(d.carry),
            (u128::from(u64::MAX) << 64) | u128::from(u64::MAX - 1)
        );
        assert_eq!(distribute(u128::MAX, 0, 1, 1), Err(MathError::Overflow));
    }

    #[test]
    fn accrue_is_exact() {
        let d = distribute(0, 0, 10, 3).unwrap();
        let a = accrue(1, d.acc, 0, 0).unwrap();
        assert_eq!(a.amount, 3); // 10/3 = 3.33…
        let b = accrue(3, d.acc, 0, 0).unwrap();
        assert_eq!(b.amount, 9); // 3·3.33… = 9.99…, the rest is the pool's carry
        assert_eq!(accrue(u64::MAX, u128::MAX, 0, 0), Err(MathError::Overflow));
        assert_eq!(accrue(1, 0, 1, 0), Err(MathError::Overflow));
        // the largest representable earning
        let a = accrue(u64::MAX, 1u128 << 64, 0, 0).unwrap();
        assert_eq!((a.amount, a.frac), (u64::MAX, 0));
        let a = accrue(u64::MAX, (1u128 << 64) + 1, 0, u64::MAX).unwrap_err();
        assert_eq!(a, MathError::Overflow);
    }

    #[test]
    fn mul_wide_matches_u128() {
        for (a, b) in [
            (0, 0),
            (1, u64::MAX),
            (u64::MAX, u64::MAX),
            (0x1234_5678_9abc_def0, 0xfedc_ba98_7654_3210),
            (1 << 32, 1 << 32),
            (u64::from(u32::MAX), u64::from(u32::MAX)),
            (u64::from(u32::MAX), u64::MAX),
            (7, 0xffff_ffff_0000_0001),
            (u64::MAX, 3),
        ] {
            let p = u128::from(a) * u128::from(b);
            assert_eq!(mul_wide(a, b), ((p >> 64) as u64, p as u64));
        }
    }

    #[test]
    fn bps_math() {
        assert_eq!(mul_bps_floor(u64::MAX, 10_000), Ok(u64::MAX));
        assert_eq!(mul_bps_floor(u64::MAX, 100), Ok(u64::MAX / 100));
        assert_eq!(mul_bps_floor(9_999, 1), Ok(0));
        assert_eq!(mul_bps_floor(1, 10_001), Err(MathError::InvalidBps));
        assert_eq!(split_payout(1_000, 100), Ok(PayoutSplit { to_contributor: 990, reward: 10 }));
        assert_eq!(check_shares([5_000, 5_000]), Ok(()));
        assert_eq!(check_shares([5_000, 5_001]), Err(MathError::InvalidShares));
        assert_eq!(check_shares([10_000, 0]), Err(MathError::InvalidShares));
        assert_eq!(check_shares([]), Err(MathError::InvalidShares));
        assert_eq!(check_shares([u16::MAX; 4]), Err(MathError::InvalidShares));
    }
}

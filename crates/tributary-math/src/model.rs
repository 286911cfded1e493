//! A reference model of a pool's accounting for property tests and fuzzing (feature `model`).
//!
//! The model credits each entry its exact share of every distribution at the moment it happens
//! (`exact`, in 2⁻⁶⁴ base units) while settling lazily through snapshots, as the program does, with
//! this crate's functions. [`Pool::check`] then requires, after any sequence of operations:
//! - each entry's paid + reward + owed + pending whole units == floor(exact / 2⁶⁴), and its kept
//!   fraction == exact mod 2⁶⁴ (no entry gets more than the floor of its exact share; dust per
//!   entry < 1 base unit);
//! - Σ deposited·2⁶⁴ == Σ exact + carry + held·2⁶⁴ (conservation, exactly).
//!
//! Amounts must keep Σ deposited below 2⁶⁴ so the checks fit in u128.
#![allow(clippy::arithmetic_side_effects)] // a test model: overflow would be a bug it should panic on
use crate::{accrue, check_shares, distribute, split_payout, usage_share};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

const ONE: u128 = 1 << 64;

/// One operation on the pool (indices are taken modulo the number of entries).
#[derive(Clone, Debug)]
pub enum Op {
    Register,
    Deposit(u64),
    Attribute { fee: u64, a: usize, b: usize, share_a: u16 },
    Reweigh { entry: usize, weight: u64 },
    Crank(Vec<usize>),
    Claim(usize),
    Retire(usize),
}

#[derive(Default, Clone, Debug)]
pub struct Entry {
    pub weight: u64,
    pub snapshot: u128,
    pub frac: u64,
    pub owed: u64,
    pub paid: u64,
    pub rewards: u64,
    pub retired: bool,
    pub exact: u128,
}

#[derive(Default, Debug)]
pub struct Pool {
    pub acc: u128,
    pub carry: u64,
    pub held: u64,
    pub total_weight: u64,
    pub deposited: u128,
    pub min_payout: u64,
    pub reward_bps: u16,
    pub entries: Vec<Entry>,
}

impl Pool {
    pub fn settle(&mut self, i: usize) -> u64 {
        let e = &mut self.entries[i];
        let a = accrue(e.weight, self.acc, e.snapshot, e.frac).expect("accrue");
        e.owed += a.amount;
        e.frac = a.frac;
        e.snapshot = self.acc;
        e.owed
    }

    /// The program's `Pool::add_revenue`, with the eager model alongside.
    pub fn add_revenue(&mut self, amount: u64) {
        let amount = self.held + amount;
        if self.total_weight == 0 {
            self.held = amount;
            return;
        }
        let d = distribute(self.acc, self.carry, amount, self.total_weight).expect("distribute");
        let per_weight = d.acc - self.acc;
        for e in &mut self.entries {
            e.exact += u128::from(e.weight) * per_weight;
        }
        self.acc = d.acc;
        self.carry = d.carry;
        self.held = 0;
    }

    pub fn apply(&mut self, op: &Op) {
        let n = self.entries.len();
        match *op {
            Op::Register => self.entries.push(Entry { snapshot: self.acc, ..Entry::default() }),
            Op::Deposit(amount) => {
                self.deposited += u128::from(amount);
                self.add_revenue(amount);
            }
            Op::Attribute { fee, a, b, share_a } if n >= 2 && a % n != b % n => {
                let (a, b) = (a % n, b % n);
                if self.entries[a].retired || self.entries[b].retired {
                    return;
                }
                let shares = [share_a.clamp(1, 9_999), 10_000 - share_a.clamp(1, 9_999)];
                check_shares(shares).expect("shares");
                let mut credited = 0;
                for (i, share) in [a, b].into_iter().zip(shares) {
                    let part = usage_share(fee, share).expect("share");
                    self.entries[i].owed += part;
                    self.entries[i].exact += u128::from(part) * ONE;
                    credited += part;
                }
                self.deposited += u128::from(fee);
                self.add_revenue(fee - credited);
            }
            Op::Reweigh { entry, weight } if n > 0 && !self.entries[entry % n].retired => {
                let i = entry % n;
                self.settle(i);
                self.total_weight = self.total_weight - self.entries[i].weight + weight;
                self.entries[i].weight = weight;
            }
            Op::Crank(ref entries) if n > 0 => {
                for &i in entries {
                    let i = i % n;
                    let owed = self.settle(i);
                    if owed >= self.min_payout.max(1) {
                        let split = split_payout(owed, self.reward_bps).expect("split");
                        let e = &mut self.entries[i];
                        e.owed = 0;
                        e.paid += split.to_contributor;
                        e.rewards += split.reward;
                    }
                }
            }
            Op::Claim(i) if n > 0 => {
                let i = i % n;
                let owed = self.settle(i);
                let e = &mut self.entries[i];
                e.paid += owed;
                e.owed = 0;
            }
            Op::Retire(i) if n > 0 && !self.entries[i % n].retired => {
                let i = i % n;
                self.settle(i);
                self.total_weight -= self.entries[i].weight;
                self.entries[i].weight = 0;
                self.entries[i].retired = true;
            }
            _ => {}
        }
    }

    /// The invariants; `Err` names the first one broken.
    pub fn check(&self) -> Result<(), String> {
        let mut sum_exact = 0u128;
        for (i, e) in self.entries.iter().enumerate() {
            let pending = accrue(e.weight, self.acc, e.snapshot, e.frac).expect("accrue");
            let whole = u128::from(e.paid + e.rewards + e.owed + pending.amount);
            if whole != e.exact / ONE {
                return Err(format!("entry {i}: {whole} whole units, exact share {}", e.exact / ONE));
            }
            if u128::from(pending.frac) != e.exact % ONE {
                return Err(format!("entry {i}: fraction differs"));
            }
            sum_exact += e.exact;
        }
        let accounted = sum_exact + u128::from(self.carry) + u128::from(self.held) * ONE;
        if self.deposited * ONE != accounted {
            return Err(format!(
                "conservation: deposited {} ≠ accounted {accounted} (2⁻⁶⁴ units)",
                self.deposited * ONE
            ));
        }
        Ok(())
    }
}

//! Property test: over random sequences of register / deposit / attribute / reweigh / crank /
//! claim / retire, the lazy accumulator accounting equals an eager, exact model, and every base
//! unit deposited is accounted for.
//!
//! The model credits each entry its exact share of every distribution at the moment it happens
//! (`exact`, in 2⁻⁶⁴ base units). The implementation under test settles lazily through snapshots,
//! as the program does. After every operation:
//! - each entry's paid + reward + owed + pending whole units == floor(exact / 2⁶⁴), and its kept
//!   fraction == exact mod 2⁶⁴ (so no entry gets more than the floor of its exact share, and the
//!   dust left per entry is < 1 base unit);
//! - Σ deposited·2⁶⁴ == Σ exact + carry + held·2⁶⁴ (conservation, exactly).
use proptest::prelude::*;
use tributary_math::{accrue, check_shares, distribute, split_payout, usage_share};

const ONE: u128 = 1 << 64;

#[derive(Clone, Debug)]
enum Op {
    Register,
    Deposit(u64),
    Attribute { fee: u64, a: usize, b: usize, share_a: u16 },
    Reweigh { entry: usize, weight: u64 },
    Crank(Vec<usize>),
    Claim(usize),
    Retire(usize),
}

#[derive(Default, Clone, Debug)]
struct Entry {
    weight: u64,
    snapshot: u128,
    frac: u64,
    owed: u64,
    paid: u64,
    rewards: u64,
    retired: bool,
    exact: u128,
}

#[derive(Default, Debug)]
struct Pool {
    acc: u128,
    carry: u64,
    held: u64,
    total_weight: u64,
    deposited: u128,
    min_payout: u64,
    reward_bps: u16,
    entries: Vec<Entry>,
}

impl Pool {
    fn settle(&mut self, i: usize) -> u64 {
        let e = &mut self.entries[i];
        let a = accrue(e.weight, self.acc, e.snapshot, e.frac).expect("accrue");
        e.owed += a.amount;
        e.frac = a.frac;
        e.snapshot = self.acc;
        e.owed
    }

    /// The program's `Pool::add_revenue`, with the eager model alongside.
    fn add_revenue(&mut self, amount: u64) {
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

    fn apply(&mut self, op: &Op) {
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

    fn check(&self) -> Result<(), TestCaseError> {
        let mut sum_exact = 0u128;
        for (i, e) in self.entries.iter().enumerate() {
            let pending = accrue(e.weight, self.acc, e.snapshot, e.frac).expect("accrue");
            let whole = u128::from(e.paid + e.rewards + e.owed + pending.amount);
            prop_assert_eq!(whole, e.exact / ONE, "entry {} whole units", i);
            prop_assert_eq!(u128::from(pending.frac), e.exact % ONE, "entry {} fraction", i);
            sum_exact += e.exact;
        }
        prop_assert_eq!(
            self.deposited * ONE,
            sum_exact + u128::from(self.carry) + u128::from(self.held) * ONE,
            "conservation"
        );
        prop_assert!(u128::from(self.carry) < ONE);
        Ok(())
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Register),
        3 => (0u64..=1 << 32).prop_map(Op::Deposit),
        1 => Just(Op::Deposit(1)),
        2 => (1u64..=1 << 32, 0usize..16, 0usize..16, 0u16..=10_000).prop_map(|(fee, a, b, share_a)| Op::Attribute { fee, a, b, share_a }),
        3 => (0usize..16, prop_oneof![Just(0u64), 1u64..1_000, 1u64..=1 << 40]).prop_map(|(entry, weight)| Op::Reweigh { entry, weight }),
        2 => prop::collection::vec(0usize..16, 1..8).prop_map(Op::Crank),
        1 => (0usize..16).prop_map(Op::Claim),
        1 => (0usize..16).prop_map(Op::Retire),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn accounting_is_exact_and_conserves_every_base_unit(
        ops in prop::collection::vec(op(), 1..60),
        min_payout in prop_oneof![Just(0u64), 1u64..10_000],
        reward_bps in 0u16..=100,
    ) {
        let mut pool = Pool { min_payout, reward_bps, ..Pool::default() };
        for op in &ops {
            pool.apply(op);
            pool.check()?;
        }
    }
}

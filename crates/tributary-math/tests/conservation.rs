//! Property test: over 10,000 random sequences of register / deposit / attribute / reweigh /
//! crank / claim / retire, the lazy accumulator accounting equals the exact eager model and every
//! base unit deposited is accounted for (see `tributary_math::model`).
use proptest::prelude::*;
use tributary_math::model::{Op, Pool};

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
            pool.check().map_err(TestCaseError::fail)?;
        }
    }
}

//! `mul_wide` takes shortcuts when a factor fits in 32 bits; every path must equal the 128-bit product.
use proptest::prelude::*;
use tributary_math::mul_wide;

fn factor() -> impl Strategy<Value = u64> {
    prop_oneof![any::<u64>(), any::<u32>().prop_map(u64::from), (0u64..1 << 40), Just(0), Just(u64::MAX)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn mul_wide_equals_the_128_bit_product(a in factor(), b in factor()) {
        let p = u128::from(a) * u128::from(b);
        prop_assert_eq!(mul_wide(a, b), ((p >> 64) as u64, p as u64));
    }
}

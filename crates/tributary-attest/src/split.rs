//! Exact integer apportionment (largest remainder): `total` split over parts in proportion to their
//! values, every part the floor of its exact share, the units left over given one each to the
//! largest remainders (ties to the earlier part). The parts sum to `total` exactly.

/// `value × total / sum` as (quotient, remainder), exactly, for `value ≤ sum` (256-bit product).
fn mul_div(value: u128, total: u128, sum: u128) -> (u128, u128) {
    // product as two 128-bit halves, from 64-bit limbs
    let (a1, a0) = (value >> 64, value & u128::from(u64::MAX));
    let (b1, b0) = (total >> 64, total & u128::from(u64::MAX));
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let middle = (p00 >> 64) + (p01 & u128::from(u64::MAX)) + (p10 & u128::from(u64::MAX));
    let low = (p00 & u128::from(u64::MAX)) | (middle << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
    // long division of (high, low) by sum, one bit at a time: the quotient is ≤ total
    let (mut quotient, mut remainder) = (0u128, 0u128);
    for bit in (0..256).rev() {
        let carry = remainder >> 127;
        let next = if bit >= 128 { (high >> (bit - 128)) & 1 } else { (low >> bit) & 1 };
        remainder = (remainder << 1) | next;
        quotient <<= 1;
        if carry == 1 || remainder >= sum {
            remainder = remainder.wrapping_sub(sum);
            quotient |= 1;
        }
    }
    (quotient, remainder)
}

/// Split `total` over `values` by largest remainder. `None` when every value is zero.
pub fn apportion(values: &[u128], total: u128) -> Option<Vec<u128>> {
    let sum = values.iter().try_fold(0u128, |acc, v| acc.checked_add(*v))?;
    if sum == 0 {
        return None;
    }
    let shares: Vec<(u128, u128)> = values.iter().map(|v| mul_div(*v, total, sum)).collect();
    let given: u128 = shares.iter().map(|(q, _)| q).sum();
    let mut order: Vec<usize> = (0..values.len()).collect();
    // largest remainder first; equal remainders in input order (a stable sort keeps it)
    order.sort_by(|a, b| shares[*b].1.cmp(&shares[*a].1));
    let mut parts: Vec<u128> = shares.iter().map(|(q, _)| *q).collect();
    for index in order.into_iter().take((total - given) as usize) {
        parts[index] += 1;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wide_products_divide_exactly() {
        let big = u128::MAX / 3;
        assert_eq!(mul_div(big, 1_000_000_000_000, big), (1_000_000_000_000, 0));
        assert_eq!(mul_div(1, 10, 3), (3, 1));
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), (u128::MAX, 0));
        assert_eq!(mul_div(u128::MAX - 1, 7, u128::MAX), (6, u128::MAX - 7));
    }

    #[test]
    fn examples() {
        assert_eq!(apportion(&[1, 1, 1], 10_000), Some(vec![3_334, 3_333, 3_333]));
        assert_eq!(apportion(&[0, 5, 0], 7), Some(vec![0, 7, 0]));
        assert_eq!(apportion(&[2, 1], 1), Some(vec![1, 0]));
        assert_eq!(apportion(&[0, 0], 5), None);
    }

    proptest! {
        #[test]
        fn parts_sum_to_the_total_and_stay_within_one_of_the_exact_share(
            values in prop::collection::vec(0u128..=u128::from(u64::MAX) << 20, 1..40),
            total in 0u128..=u128::from(u64::MAX),
        ) {
            prop_assume!(values.iter().any(|v| *v > 0));
            let parts = apportion(&values, total).expect("a positive value");
            prop_assert_eq!(parts.iter().sum::<u128>(), total);
            let sum: u128 = values.iter().sum();
            for (v, p) in values.iter().zip(&parts) {
                let (floor, _) = mul_div(*v, total, sum);
                prop_assert!(*p == floor || *p == floor + 1);
            }
        }
    }
}

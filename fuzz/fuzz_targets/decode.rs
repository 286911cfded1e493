//! Coverage-guided fuzzing of decoding: arbitrary bytes as instruction data for every instruction
//! and as every account type must decode or be refused, never panic or over-read; the crank
//! entrypoint's decoding of its arguments must agree with Anchor's.
#![no_main]
use anchor_lang::{AnchorDeserialize, Discriminator};
use libfuzzer_sys::fuzz_target;
use tributary::instruction as ix;

fn args<T: AnchorDeserialize + Discriminator>(data: &[u8]) {
    if let Some(body) = data.strip_prefix(T::DISCRIMINATOR) {
        let _ = T::deserialize(&mut &body[..]);
    }
    let _ = T::deserialize(&mut &data[..]);
}

fuzz_target!(|data: &[u8]| {
    args::<ix::CreatePool>(data);
    args::<ix::RegisterContribution>(data);
    args::<ix::SetWeights>(data);
    args::<ix::AttributeUsage>(data);
    args::<ix::Crank>(data);
    args::<ix::Deposit>(data);
    args::<ix::ProposeAuthority>(data);
    args::<ix::UpdatePoolConfig>(data);
    // the crank entrypoint's own decoding agrees with Anchor's
    let anchor = data
        .strip_prefix(ix::Crank::DISCRIMINATOR)
        .and_then(|body| ix::Crank::deserialize(&mut &body[..]).ok())
        .map(|c| (c.entries, c.batch));
    let ours = tributary::entrypoint::crank_args(data)
        .map(|(entries, batch)| (tributary::entrypoint::entry_indices(entries).collect::<Vec<_>>(), batch));
    assert_eq!(ours, anchor);
    if let Ok(mut pool) = tributary_sdk::accounts::pool(data) {
        let _ = (pool.acc_per_weight(), pool.pending_authority(), pool.signer_seeds(), pool.invariant());
        pool.record_paid(u64::MAX, u64::MAX);
    }
    let _ = tributary_sdk::accounts::contribution(data);
    if let Ok(page) = tributary_sdk::accounts::ledger_page(data) {
        for entry in page.entries.iter() {
            let _ = entry.owed_at(u128::from_le_bytes(
                data[..16.min(data.len())]
                    .iter()
                    .copied()
                    .chain(std::iter::repeat(0))
                    .take(16)
                    .collect::<Vec<_>>()
                    .try_into()
                    .unwrap_or([0; 16]),
            ));
        }
    }
});

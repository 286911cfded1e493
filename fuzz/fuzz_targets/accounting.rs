//! Coverage-guided fuzzing of the accounting: bytes become operations on the reference model
//! (`tributary_math::model`), which checks exact shares and conservation after every one.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tributary_math::model::{Op, Pool};

fn ops(data: &[u8]) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut bytes = data.chunks_exact(8);
    for chunk in bytes.by_ref().take(64) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let (kind, arg) = (chunk[0] % 8, word >> 8); // 56 bits of argument
        let small = (arg & 0xf) as usize;
        ops.push(match kind {
            0 => Op::Register,
            1 => Op::Deposit(arg & ((1 << 40) - 1)),
            2 => Op::Attribute {
                fee: 1 + (arg >> 16 & ((1 << 36) - 1)),
                a: small,
                b: (arg >> 4 & 0xf) as usize,
                share_a: (arg >> 8 & 0x3fff) as u16,
            },
            3 => Op::Reweigh { entry: small, weight: arg >> 4 & ((1 << 40) - 1) },
            4 => Op::Crank((0..1 + (arg >> 4 & 7) as usize).map(|i| ((arg >> (8 + 4 * i)) & 0xf) as usize).collect()),
            5 => Op::Claim(small),
            6 => Op::Retire(small),
            _ => Op::Deposit(1),
        });
    }
    ops
}

fuzz_target!(|data: &[u8]| {
    let (config, rest) = data.split_at(data.len().min(3));
    let mut pool = Pool {
        min_payout: u64::from(*config.first().unwrap_or(&0)) * 37,
        reward_bps: u16::from(*config.get(1).unwrap_or(&0)) % 101,
        ..Pool::default()
    };
    for op in ops(rest) {
        pool.apply(&op);
        if let Err(broken) = pool.check() {
            panic!("{broken} after {op:?}");
        }
    }
});

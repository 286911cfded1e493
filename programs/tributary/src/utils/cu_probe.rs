//! Compute-unit probes for the benchmark's split of a crank's cost (`BENCHMARKS.md`, "Where a
//! payout's compute units go"). Only the `cu-probes` build (`tributary_cu_probes.so`, built by
//! `scripts/build-sbf --test-programs`) has them: each probe logs its label and the units left,
//! and the benchmark subtracts consecutive probes. Every other build compiles them to nothing.

/// Log `label` and the compute units left (feature `cu-probes`); nothing otherwise.
#[macro_export]
macro_rules! cu_probe {
    ($label:literal) => {
        #[cfg(all(feature = "cu-probes", target_os = "solana"))]
        {
            anchor_lang::prelude::msg!(concat!("cu-probe ", $label));
            // SAFETY: a syscall without arguments
            unsafe { solana_msg::syscalls::sol_log_compute_units_() };
        }
    };
}

//! The smoke run: every instruction once on the sBPF build in LiteSVM, its compute units printed.
fn main() {
    let mut rows = tributary_tests::cu::measure(&tributary_tests::TOKEN_PROGRAM);
    rows.extend(tributary_tests::cu::measure(&tributary_tests::TOKEN_2022_PROGRAM));
    println!("Tributary {} — compute units per instruction (sBPF build in LiteSVM)\n", env!("CARGO_PKG_VERSION"));
    print!("{}", tributary_tests::cu::table(&rows));
}

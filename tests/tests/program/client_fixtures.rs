//! The TypeScript client's expected bytes (clients/ts/test/fixtures.json) match the Rust SDK now.
#[test]
fn checked_in_client_fixtures_are_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(tributary_tests::client_fixtures::PATH);
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == tributary_tests::client_fixtures::render(),
        "{} is stale: cargo run -p tributary-tests --bin client-fixtures",
        path.display()
    );
}

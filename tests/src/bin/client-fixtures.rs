//! Write clients/ts/test/fixtures.json: what the TypeScript client must reproduce byte for byte.
fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(tributary_tests::client_fixtures::PATH);
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(&path, tributary_tests::client_fixtures::render()).expect("write fixtures");
    println!("wrote {}", path.display());
}

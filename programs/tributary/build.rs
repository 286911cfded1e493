//! Reads the release's security.txt fields (`security-txt.toml`, or the file
//! `TRIBUTARY_SECURITY_TXT` names) into the environment `src/lib.rs` embeds them from. A flat file
//! of `key = "value"` lines, read by hand: the program's build then needs no TOML crate.
use std::path::PathBuf;

const FIELDS: [&str; 5] = ["name", "project_url", "contacts", "policy", "source_code"];
/// RFC 2606's reserved top-level domain: a value under it is a placeholder.
const PLACEHOLDER_DOMAIN: &str = ".invalid";

fn main() {
    println!("cargo:rerun-if-env-changed=TRIBUTARY_SECURITY_TXT");
    println!("cargo:rerun-if-env-changed=TRIBUTARY_RELEASE");
    let path = std::env::var_os("TRIBUTARY_SECURITY_TXT").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
            .join("security-txt.toml")
    });
    println!("cargo:rerun-if-changed={}", path.display());
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("security.txt fields: {}: {e}", path.display()));
    let mut placeholders = Vec::new();
    for field in FIELDS {
        let value = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with('#'))
            .find_map(|line| {
                let (key, value) = line.split_once('=')?;
                (key.trim() == field).then(|| value.trim().trim_matches('"').to_string())
            })
            .unwrap_or_else(|| panic!("{}: no `{field} = \"…\"` line", path.display()));
        assert!(
            !value.is_empty() && !value.contains(['"', '\0']),
            "{}: `{field}` is empty or not plain text",
            path.display()
        );
        if value.contains(PLACEHOLDER_DOMAIN) {
            placeholders.push(field);
        }
        println!("cargo:rustc-env=TRIBUTARY_SECURITY_TXT_{}={value}", field.to_uppercase());
    }
    if !placeholders.is_empty() {
        let message = format!(
            "security.txt carries PLACEHOLDER {} ({}): write the deploying team's own before a release",
            placeholders.join(", "),
            path.display()
        );
        if std::env::var("TRIBUTARY_RELEASE").is_ok_and(|v| v == "1") {
            panic!("TRIBUTARY_RELEASE=1: {message}");
        }
        println!("cargo:warning={message}");
    }
}

//! RPC URLs carry secrets (an API key in the query, a token in the path, user info): everything
//! the crank prints shows a URL through these, never as given.

/// `url` with its user info, path and query replaced by `…`: scheme, host and port stay, enough
/// to tell clusters apart. `https://k:s@rpc.example.com/abc123?api-key=x` → `https://…@rpc.example.com/…?…`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "…".into(); // not a URL we can read: show nothing of it
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (user, host) = match authority.rsplit_once('@') {
        Some((_, host)) => ("…@", host),
        None => ("", authority),
    };
    let (path_end, query) = match tail.find(['?', '#']) {
        Some(i) => (i, "?…"),
        None => (tail.len(), ""),
    };
    let path = if tail[..path_end].trim_matches('/').is_empty() { "" } else { "/…" };
    format!("{scheme}://{user}{host}{path}{query}")
}

/// `text` with every URL in it (`http://`, `https://`, `ws://`, `wss://`) redacted by [`redact_url`]:
/// for error messages of HTTP clients, which quote the URL they failed on.
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = ["http://", "https://", "ws://", "wss://"].iter().filter_map(|s| rest.find(s)).min() {
        out.push_str(&rest[..start]);
        let url_len = rest[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ','))
            .unwrap_or(rest.len() - start);
        out.push_str(&redact_url(&rest[start..start + url_len]));
        rest = &rest[start + url_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_path_tokens_and_query_strings_never_show() {
        let cases = [
            ("http://127.0.0.1:8899", "http://127.0.0.1:8899"),
            ("https://api.mainnet-beta.solana.com/", "https://api.mainnet-beta.solana.com"),
            ("https://mainnet.helius-rpc.com/?api-key=5ecr3t", "https://mainnet.helius-rpc.com?…"),
            ("https://x.solana-mainnet.quiknode.pro/0a1b2c3d4e5f/", "https://x.solana-mainnet.quiknode.pro/…"),
            ("https://user:hunter2@rpc.example.com:8443/v1/t0k3n?x=1#f", "https://…@rpc.example.com:8443/…?…"),
            ("wss://rpc.example.com/ws?token=abc", "wss://rpc.example.com/…?…"),
            ("not a url 5ecr3t", "…"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_url(url), shown, "{url}");
            for secret in ["5ecr3t", "0a1b2c3d4e5f", "hunter2", "t0k3n", "abc"] {
                assert!(!redact_url(url).contains(secret), "{url} leaks {secret}");
            }
        }
    }

    #[test]
    fn urls_inside_error_messages_are_redacted() {
        let error = "error sending request for url (https://rpc.example.com/?api-key=5ecr3t): connection refused";
        assert_eq!(
            redact_urls_in(error),
            "error sending request for url (https://rpc.example.com?…): connection refused"
        );
        let two = "from http://a:b@h1/p to \"https://h2/k?q\" done";
        assert_eq!(redact_urls_in(two), "from http://…@h1/… to \"https://h2/…?…\" done");
        assert_eq!(redact_urls_in("no url here"), "no url here");
    }
}

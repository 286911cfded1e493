//! The crank's two routes refuse alike. The program's entrypoint serves `crank` straight from the
//! input buffer and re-makes by hand every check Anchor derives from `#[derive(Accounts)] Crank`;
//! `tributary_anchor_route.so` is the same program built without that entrypoint, so its crank
//! goes through Anchor's checks. Every fixed account of a crank is changed in every way Anchor
//! checks — read-only, unsigned, owned by another program, another account type, another pool's
//! account, absent, or another of the crank's own accounts in its place — and both builds must give
//! the same answer: the same named error with nothing changed, or the same payouts.
//!
//! A constraint added to `Crank` alone (a `mut`, a `Signer`, an owner or type, a `has_one`, an
//! `address`) makes one of these changes refused by the Anchor route only, and this test fail.
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tributary_crank::token::{TOKEN_2022_PROGRAM, TOKEN_PROGRAM};
use tributary_sdk::instructions::{self as ix, CrankMode};
use tributary_tests::{anchor_route_program_path, fixtures::PoolFixture, program_path, Env};

/// A funded pool with two contributors owed, a second pool on another mint, and accounts to put
/// in a crank's place.
struct World {
    env: Env,
    f: PoolFixture,
    other: PoolFixture,
    cranker: Keypair,
    other_cranker: Keypair,
    reward: Pubkey,
    other_reward: Pubkey,
}

/// The same world on either build (keys come from a counter, so both are alike to the byte).
fn world(program: &std::path::Path, token_program: &Pubkey) -> World {
    let mut env = Env::with_program(program);
    let f = PoolFixture::funded(&mut env, token_program, 100, 0, &[1, 3], 4_000);
    let other = PoolFixture::funded(&mut env, token_program, 100, 0, &[2], 1_000);
    let cranker = env.new_funded_keypair();
    let other_cranker = env.new_funded_keypair();
    let reward = env.create_token_account(&f.keys.mint, &cranker.pubkey());
    let other_reward = env.create_token_account(&other.keys.mint, &other_cranker.pubkey());
    World { env, f, other, cranker, other_cranker, reward, other_reward }
}

/// The account at `key` again at a new address, owned by the system program.
fn foreign_copy(env: &mut Env, key: &Pubkey) -> Pubkey {
    let mut account: Account = env.account(key).unwrap_or_default();
    account.owner = anchor_lang::system_program::ID;
    account.executable = false;
    account.lamports = account.lamports.max(1_000_000_000);
    let copy = env.keypair().pubkey();
    env.svm.set_account(copy, account).expect("set account");
    copy
}

/// Every change of every fixed account of `crank`, named.
fn changes(w: &mut World, crank: &Instruction) -> Vec<(String, Instruction)> {
    const NAMES: [&str; 7] = tributary::instructions::crank::CrankAccounts::NAMES;
    let fixed: Vec<AccountMeta> = crank.accounts[..NAMES.len()].to_vec();
    let contribution = w.f.members[0].contribution.address;
    let absent = tributary::ID; // how Anchor clients pass an absent optional account
    let other_token_program = if w.f.keys.token_program == TOKEN_PROGRAM { TOKEN_2022_PROGRAM } else { TOKEN_PROGRAM };
    let others = [
        w.other_cranker.pubkey(),
        w.other.keys.pool,
        w.other.keys.page(0),
        w.other.keys.vault,
        other_token_program,
        w.other.keys.mint,
        w.other_reward,
    ];
    let mut out = Vec::new();
    for (i, meta) in fixed.iter().enumerate() {
        let name = NAMES[i];
        let mut with = |what: String, change: &dyn Fn(&mut AccountMeta)| {
            let mut changed = crank.clone();
            change(&mut changed.accounts[i]);
            out.push((format!("{name}: {what}"), changed));
        };
        if meta.is_writable {
            with("read-only".into(), &|m| m.is_writable = false);
        }
        if meta.is_signer {
            with("not a signer".into(), &|m| m.is_signer = false);
        }
        if meta.pubkey != absent {
            let copy = foreign_copy(&mut w.env, &meta.pubkey);
            with("owned by the system program".into(), &|m| m.pubkey = copy);
        }
        with("a contribution account".into(), &|m| m.pubkey = contribution);
        with("the other pool's".into(), &|m| m.pubkey = others[i]);
        if i >= 5 {
            with("absent".into(), &|m| m.pubkey = absent);
        }
        for (j, other) in fixed.iter().enumerate().filter(|(j, _)| *j != i) {
            let key = other.pubkey;
            with(format!("{} in its place", NAMES[j]), &|m| m.pubkey = key);
        }
    }
    out
}

/// The keypairs among `ix`'s signers; a signer we hold no key for is sent unsigned (refused as such).
fn signers<'a>(ix: &mut Instruction, keys: &'a [&'a Keypair]) -> Vec<&'a Keypair> {
    let mut found = Vec::new();
    for meta in ix.accounts.iter_mut().filter(|m| m.is_signer) {
        match keys.iter().find(|k| k.pubkey() == meta.pubkey) {
            Some(k) => found.push(*k),
            None => meta.is_signer = false,
        }
    }
    found
}

/// Send `ix` on a copy of `env`: its error, or every watched account's state after it.
fn outcome(
    env: &Env,
    ix: &Instruction,
    keys: &[&Keypair],
    watch: &[Pubkey],
) -> (Result<u64, String>, Vec<Option<Account>>) {
    let mut env = env.fork();
    let mut ix = ix.clone();
    let signing = signers(&mut ix, keys);
    let before: Vec<Option<Account>> = watch.iter().map(|k| env.account(k)).collect();
    let result = env.send(&[ix], &signing);
    let after: Vec<Option<Account>> = watch.iter().map(|k| env.account(k)).collect();
    match result {
        Ok(sent) => (Ok(sent.cu), after),
        Err(failed) => {
            assert_eq!(before, after, "a refused crank changed an account");
            (Err(format!("{:?}", failed.err)), after)
        }
    }
}

fn routes_refuse_alike(token_program: &Pubkey) {
    let mut fast = world(&program_path(), token_program);
    let mut anchor = world(&anchor_route_program_path(), token_program);
    let (d0, d1) = (fast.f.members[0].destination, fast.f.members[1].destination);
    let watch = [fast.f.keys.pool, fast.f.page_key(0), fast.f.keys.vault, d0, d1, fast.reward, fast.other.keys.pool];
    let (cranker, other_cranker) = (fast.cranker.insecure_clone(), fast.other_cranker.insecure_clone());
    let keys = [&cranker, &other_cranker];
    let mut compared = 0;
    for mode in [CrankMode::Batch, CrankMode::PerTransfer] {
        let crank = ix::crank(&cranker.pubkey(), &fast.f.keys, 0, &[(0, d0), (1, d1)], Some(fast.reward), mode);
        // untouched, both pay the same, by different routes (Anchor's checks cost more)
        let (paid_fast, state_fast) = outcome(&fast.env, &crank, &keys, &watch);
        let (paid_anchor, state_anchor) = outcome(&anchor.env, &crank, &keys, &watch);
        let (cu_fast, cu_anchor) = (paid_fast.expect("fast route pays"), paid_anchor.expect("Anchor route pays"));
        assert!(cu_anchor > cu_fast, "{mode:?}: two routes, {cu_fast} vs {cu_anchor} CU");
        assert_eq!(state_fast, state_anchor, "{mode:?}: the same payouts");
        // the accounts a change puts in place are created in both worlds alike (counter keys)
        let cases = changes(&mut fast, &crank);
        let anchor_cases = changes(&mut anchor, &crank);
        for ((case, ix), (_, anchor_ix)) in cases.iter().zip(&anchor_cases) {
            assert_eq!(ix, anchor_ix, "{case}: the same instruction in both worlds");
            let (fast_result, fast_state) = outcome(&fast.env, ix, &keys, &watch);
            let (anchor_result, anchor_state) = outcome(&anchor.env, ix, &keys, &watch);
            assert_eq!(
                fast_result.as_ref().map(|_| ()),
                anchor_result.as_ref().map(|_| ()),
                "{mode:?}, {case}: the fast route and Anchor's differ"
            );
            assert_eq!(fast_state, anchor_state, "{mode:?}, {case}: different accounts after");
            compared += 1;
        }
    }
    assert!(compared >= 100, "{compared} cases");
}

#[test]
fn p_token_cranks_are_refused_alike_by_the_fast_route_and_anchors() {
    routes_refuse_alike(&TOKEN_PROGRAM);
}

#[test]
fn token_2022_cranks_are_refused_alike_by_the_fast_route_and_anchors() {
    routes_refuse_alike(&TOKEN_2022_PROGRAM);
}

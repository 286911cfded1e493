//! Compute units of every instruction on one realistic life cycle, measured on the sBPF build.
//! Printed by `cargo run -p tributary-tests --bin cu-table` and asserted against budgets by the
//! `cu_budget` test (compute units are deterministic).
use crate::fixtures::PoolFixture;
use crate::{program_cu, Env, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};
use anchor_lang::prelude::Pubkey;
use solana_signer::Signer;
use tributary::UsageShare;
use tributary_sdk::instructions::{self as ix, CrankMode};

/// (instruction, token program, payouts in the transaction, program CU)
pub type Row = (&'static str, &'static str, usize, u64);

fn program_name(token_program: &Pubkey) -> &'static str {
    if *token_program == TOKEN_2022_PROGRAM {
        "Token-2022"
    } else {
        "SPL Token (p-token)"
    }
}

/// Run every instruction once (the crank at several batch sizes) and return its CU.
pub fn measure(token_program: &Pubkey) -> Vec<Row> {
    let tp = program_name(token_program);
    let mut rows: Vec<Row> = Vec::new();
    let mut env = Env::new();
    let mut f = PoolFixture::create(&mut env, token_program, 50, 1);
    let pool = f.keys.pool;
    let auth = f.authority.insecure_clone();
    rows.push(("open_ledger_page", tp, 0, program_cu(&f.open_page(&mut env).logs)));
    rows.push(("register_contribution", tp, 0, program_cu(&f.register(&mut env).logs)));
    f.register_many(&mut env, 40);
    let weights: Vec<(u32, u64)> = (0..41).map(|e| (e, 1_000 + u64::from(e) * 37)).collect();
    let sent = f.set_weights(&mut env, &weights[..20]);
    rows.push(("set_weights (20 entries)", tp, 0, program_cu(&sent[0].logs)));
    f.set_weights(&mut env, &weights);
    rows.push(("deposit", tp, 0, program_cu(&f.deposit(&mut env, 1_000_000_007).logs)));
    let usage = ix::attribute_usage(
        &f.depositor.pubkey(),
        &f.keys,
        0,
        &f.depositor_token,
        10_001,
        vec![UsageShare { entry: 0, share_bps: 6_000 }, UsageShare { entry: 1, share_bps: 4_000 }],
    );
    let depositor = f.depositor.insecure_clone();
    rows.push(("attribute_usage (2 entries)", tp, 0, program_cu(&env.ok(&[usage], &[&depositor]).logs)));
    let cranker = env.new_funded_keypair();
    let reward = env.create_token_account(&f.keys.mint, &cranker.pubkey());
    let modes: &[CrankMode] = &[CrankMode::Batch, CrankMode::PerTransfer];
    for &mode in modes {
        for n in [1usize, 10, 20] {
            let mut trial = env.fork();
            let members: Vec<usize> = (0..n).collect();
            let sent = f.crank(&mut trial, &members, mode, Some(reward), &cranker).expect("crank");
            let name = match mode {
                CrankMode::Batch if *token_program == TOKEN_PROGRAM => "crank (p-token batch)",
                CrankMode::Batch => "crank (Token-2022 batch)",
                CrankMode::PerTransfer => "crank (transfer_checked)",
            };
            rows.push((name, tp, n, program_cu(&sent.logs)));
        }
    }
    let m = &f.members[0];
    let wallet = m.wallet.insecure_clone();
    rows.push((
        "claim",
        tp,
        1,
        program_cu(&env.ok(&[ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &m.destination)], &[&wallet]).logs),
    ));
    let other = env.create_token_account(&f.keys.mint, &wallet.pubkey());
    rows.push((
        "set_destination",
        tp,
        0,
        program_cu(
            &env.ok(&[ix::set_destination(&wallet.pubkey(), &f.keys, &m.contribution, &other)], &[&wallet]).logs,
        ),
    ));
    rows.push((
        "retire_contribution",
        tp,
        0,
        program_cu(&env.ok(&[ix::retire_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]).logs),
    ));
    let _ = env.send(&[ix::claim(&wallet.pubkey(), &f.keys, &m.contribution, &other)], &[&wallet]);
    rows.push((
        "close_contribution",
        tp,
        0,
        program_cu(&env.ok(&[ix::close_contribution(&wallet.pubkey(), &f.keys, &m.contribution)], &[&wallet]).logs),
    ));
    rows.push(("pause", tp, 0, program_cu(&env.ok(&[ix::pause(&auth.pubkey(), &pool)], &[&auth]).logs)));
    rows.push(("unpause", tp, 0, program_cu(&env.ok(&[ix::unpause(&auth.pubkey(), &pool)], &[&auth]).logs)));
    rows.push((
        "update_pool_config",
        tp,
        0,
        program_cu(&env.ok(&[ix::update_pool_config(&auth.pubkey(), &pool, 25, 10)], &[&auth]).logs),
    ));
    rows.push((
        "set_attestor",
        tp,
        0,
        program_cu(&env.ok(&[ix::set_attestor(&auth.pubkey(), &pool, f.attestor.pubkey())], &[&auth]).logs),
    ));
    let next = env.new_funded_keypair();
    rows.push((
        "propose_authority",
        tp,
        0,
        program_cu(&env.ok(&[ix::propose_authority(&auth.pubkey(), &pool, Some(next.pubkey()))], &[&auth]).logs),
    ));
    rows.push((
        "accept_authority",
        tp,
        0,
        program_cu(&env.ok(&[ix::accept_authority(&next.pubkey(), &pool)], &[&next]).logs),
    ));

    // a second, empty pool to measure create / close
    let mut g = PoolFixture::create(&mut env, token_program, 0, 0);
    g.open_page(&mut env);
    let creator = env.new_funded_keypair();
    let keys2 = ix::PoolKeys::new(&creator.pubkey(), 1, g.keys.mint, *token_program);
    let sent = env
        .ok(&[ix::create_pool(&creator.pubkey(), &keys2, PoolFixture::args(1, creator.pubkey(), 0, 0))], &[&creator]);
    rows.push(("create_pool", tp, 0, program_cu(&sent.logs)));
    let g_auth = g.authority.insecure_clone();
    let payer = env.payer.pubkey();
    rows.push((
        "close_ledger_page",
        tp,
        0,
        program_cu(&env.ok(&[ix::close_ledger_page(&g_auth.pubkey(), &g.keys, 0, &payer)], &[&g_auth]).logs),
    ));
    let sink = env.create_token_account(&g.keys.mint, &g_auth.pubkey());
    rows.push((
        "close_pool",
        tp,
        0,
        program_cu(&env.ok(&[ix::close_pool(&g_auth.pubkey(), &g.keys, &sink)], &[&g_auth]).logs),
    ));
    g.members.clear();
    rows
}

/// A Markdown table of `rows`.
pub fn table(rows: &[Row]) -> String {
    let mut out =
        String::from("| instruction | token program | payouts | CU | CU per payout |\n|---|---|---:|---:|---:|\n");
    for (name, tp, n, cu) in rows {
        let per = if *n > 0 { format!("{}", cu / *n as u64) } else { "–".into() };
        out.push_str(&format!(
            "| {name} | {tp} | {} | {cu} | {per} |\n",
            if *n > 0 { n.to_string() } else { "–".into() }
        ));
    }
    out
}

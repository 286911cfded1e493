//! Creating program-owned accounts at PDAs.
use anchor_lang::prelude::*;
use anchor_lang::system_program::{
    allocate, assign, create_account, transfer, Allocate, Assign, CreateAccount, Transfer,
};

/// Create `target` (a PDA signed by `seeds`) with `space` bytes owned by `owner`, rent paid by
/// `payer`. Works when someone has already sent lamports to the address (a griefing attempt that
/// would make a plain `create_account` fail).
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    owner: &Pubkey,
    space: usize,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer = &[seeds];
    let current = target.lamports();
    if current == 0 {
        return create_account(
            CpiContext::new_with_signer(
                system_program.key(),
                CreateAccount { from: payer.clone(), to: target.clone() },
                signer,
            ),
            rent,
            space as u64,
            owner,
        );
    }
    if current < rent {
        transfer(
            CpiContext::new(system_program.key(), Transfer { from: payer.clone(), to: target.clone() }),
            rent - current,
        )?;
    }
    allocate(
        CpiContext::new_with_signer(system_program.key(), Allocate { account_to_allocate: target.clone() }, signer),
        space as u64,
    )?;
    assign(
        CpiContext::new_with_signer(system_program.key(), Assign { account_to_assign: target.clone() }, signer),
        owner,
    )
}

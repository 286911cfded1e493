// Anchor deploy script, run by `anchor migrate` after `anchor deploy`.
// The first-pool set-up arrives with the generated TypeScript client (see the front-end issue).
import * as anchor from "@anchor-lang/core";

module.exports = async function (provider: anchor.AnchorProvider) {
  anchor.setProvider(provider);
};

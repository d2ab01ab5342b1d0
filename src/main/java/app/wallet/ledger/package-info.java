/** The ledger: every change of a wallet, append-only. */
@NullMarked
package app.wallet.ledger;

import org.jspecify.annotations.NullMarked;

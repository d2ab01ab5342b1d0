/** The consistency audit: every wallet's invariants and ledger, checked in the background and on demand. */
@NullMarked
package app.wallet.audit;

import org.jspecify.annotations.NullMarked;

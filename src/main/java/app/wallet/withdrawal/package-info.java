/** Withdrawals: requesting, approving, rejecting and listing them. */
@NullMarked
package app.wallet.withdrawal;

import org.jspecify.annotations.NullMarked;

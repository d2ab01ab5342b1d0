/** Wallets: reading them and crediting earnings. */
@NullMarked
package app.wallet.wallet;

import org.jspecify.annotations.NullMarked;

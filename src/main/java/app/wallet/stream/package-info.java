/** Live balances over server-sent events, fed by the change notifications the scripts publish. */
@NullMarked
package app.wallet.stream;

import org.jspecify.annotations.NullMarked;

/** Redis access shared by the features: key names, script results, identifiers. */
@NullMarked
package app.wallet.store;

import org.jspecify.annotations.NullMarked;

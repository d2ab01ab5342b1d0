/** Balance alerts: thresholds on a wallet's balance or pending amount, decided by the money scripts. */
@NullMarked
package app.wallet.alert;

import org.jspecify.annotations.NullMarked;

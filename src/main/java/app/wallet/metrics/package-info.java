/** Business metrics exported to Prometheus. */
@NullMarked
package app.wallet.metrics;

import org.jspecify.annotations.NullMarked;

/** Configuration: validated properties, Redis scripts and client options. */
@NullMarked
package app.wallet.config;

import org.jspecify.annotations.NullMarked;

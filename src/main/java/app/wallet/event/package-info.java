/** Wallet events: the Redis outbox each script appends to, relayed to Kafka off the request path. */
@NullMarked
package app.wallet.event;

import org.jspecify.annotations.NullMarked;

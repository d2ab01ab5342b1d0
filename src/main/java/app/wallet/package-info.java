/** Wallet service: atomic money changes on Redis Lua behind a reactive HTTP API. */
@NullMarked
package app.wallet;

import org.jspecify.annotations.NullMarked;

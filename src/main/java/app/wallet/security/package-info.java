/** Who may call: bearer tokens (JWT) checked at the edge, scopes and the token's subject deciding each route. */
@NullMarked
package app.wallet.security;

import org.jspecify.annotations.NullMarked;

/** HTTP plumbing shared by the routers: strict JSON bodies, validation and problem responses. */
@NullMarked
package app.wallet.web;

import org.jspecify.annotations.NullMarked;

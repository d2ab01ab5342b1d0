/** Commands run offline from the service's jar: re-partitioning the data, indexing old withdrawals into the operator queue. */
@NullMarked
package app.wallet.offline;

import org.jspecify.annotations.NullMarked;

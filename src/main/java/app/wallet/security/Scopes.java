package app.wallet.security;

/** The OAuth2 scopes the service knows; each grants what the README's table says. */
final class Scopes {

    /** With {@code sub} = userId: read one's own wallet, withdrawals, ledger and stream. */
    static final String READ = "wallet:read";
    /** With {@code sub} = userId: request a withdrawal from one's own wallet. */
    static final String WITHDRAW = "wallet:withdraw";
    /** Credit any wallet: the earnings service. */
    static final String CREDIT = "wallet:credit";
    /** Approve and reject withdrawals, read any wallet, run the audit, read metrics. */
    static final String OPERATE = "wallet:operate";
    /** Read any wallet and its stream: other services. */
    static final String READ_ANY = "wallet:read:any";
    /** Read the actuator's metrics and health details. */
    static final String METRICS = "metrics:read";

    private Scopes() {
    }
}

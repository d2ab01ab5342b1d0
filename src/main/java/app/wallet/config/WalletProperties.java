package app.wallet.config;

import java.time.Duration;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the wallet service, bound from {@code wallet.*} and checked at start-up so a bad value
 * stops the service instead of corrupting money later.
 *
 * @param currency ISO 4217 code echoed in every wallet; one currency per deployment
 * @param maxAmount largest amount of a single operation, in minor units
 * @param partitions number of key partitions; fixed for the life of a deployment, like Kafka partitions
 * @param idempotencyTtl how long an idempotency record is kept
 */
@ConfigurationProperties("wallet")
public record WalletProperties(
        @DefaultValue("USD") String currency,
        @DefaultValue("1000000000") long maxAmount,
        @DefaultValue("16") int partitions,
        @DefaultValue("24h") Duration idempotencyTtl) {

    /** Lua numbers are doubles: above 2^53 - 1 integer arithmetic stops being exact. */
    public static final long MAX_MONEY_VALUE = (1L << 53) - 1;

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    public WalletProperties {
        require(CURRENCY.matcher(currency).matches(), "wallet.currency must be an ISO 4217 code, got " + currency);
        require(maxAmount >= 1 && maxAmount <= MAX_MONEY_VALUE,
                "wallet.max-amount must be between 1 and 2^53 - 1, got " + maxAmount);
        require(partitions >= 1 && partitions <= 16384, "wallet.partitions must be between 1 and 16384");
        require(idempotencyTtl.toSeconds() >= 1, "wallet.idempotency-ttl must be at least one second");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

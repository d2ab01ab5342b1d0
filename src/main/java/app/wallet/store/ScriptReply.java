package app.wallet.store;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The flat list a wallet script returns: {@code {code, replayed, fields...}} as documented in each
 * script's header, without the reply token that ends it on the wire. Redis hands integers back as
 * {@code Long} and strings as {@code String}.
 */
public record ScriptReply(int code, boolean replayed, List<?> raw) {

    public static final int OK = 0;
    public static final int WALLET_NOT_FOUND = -1;
    public static final int INSUFFICIENT_BALANCE = -2;
    public static final int LIMIT_EXCEEDED = -3;
    public static final int WITHDRAWAL_NOT_FOUND = -4;
    public static final int WITHDRAWAL_NOT_PENDING = -5;
    public static final int IDEMPOTENCY_KEY_REUSED = -6;

    /** Index of the first wallet field: balance, pending, totalEarnings, totalWithdrawn, version, createdAt, updatedAt. */
    public static final int WALLET_FIELDS = 2;
    /** Index of the first withdrawal field: id, amount, status, requestedAt, processedAt, reason. */
    public static final int WITHDRAWAL_FIELDS = 9;

    /**
     * The reply, once its last element is the token the request was sent with. Anything else is the
     * answer to another request: the connection's replies are out of step with its requests.
     */
    public static ScriptReply of(Object wire, String token) {
        if (!(wire instanceof List<?> list) || list.size() < 3 || !token.equals(list.get(list.size() - 1))) {
            throw new RepliesOutOfStepException("A script reply without its request's token " + token);
        }
        List<?> raw = list.subList(0, list.size() - 1);
        return new ScriptReply(((Number) raw.get(0)).intValue(), ((Number) raw.get(1)).longValue() == 1, raw);
    }

    public long number(int index) {
        Object value = raw.get(index);
        return value instanceof Number n ? n.longValue() : Long.parseLong((String) value);
    }

    /** A number field that may be absent, stored as an empty string. */
    public @Nullable Long optionalNumber(int index) {
        Object value = raw.get(index);
        return value instanceof String s && s.isEmpty() ? null : number(index);
    }

    /** A text field that may be absent, stored as an empty string. */
    public @Nullable String optionalText(int index) {
        String value = text(index);
        return value.isEmpty() ? null : value;
    }

    public String text(int index) {
        return String.valueOf(raw.get(index));
    }
}

package app.wallet.web;

import java.util.List;

import app.wallet.store.ScriptReply;

/** Turns a script's refusal code into the API's problem. */
public final class ScriptRefusals {

    private ScriptRefusals() {
    }

    public static ApiException of(ScriptReply reply, String userId, String subject) {
        return switch (reply.code()) {
            case ScriptReply.WALLET_NOT_FOUND -> refusal(ErrorCode.WALLET_NOT_FOUND, "No wallet for user " + userId, reply);
            case ScriptReply.INSUFFICIENT_BALANCE -> refusal(ErrorCode.INSUFFICIENT_BALANCE,
                    "The balance of " + reply.number(ScriptReply.WALLET_FIELDS) + " does not cover " + subject, reply);
            case ScriptReply.LIMIT_EXCEEDED -> refusal(ErrorCode.LIMIT_EXCEEDED,
                    "The credit would take the wallet past 2^53 - 1 minor units", reply);
            case ScriptReply.WITHDRAWAL_NOT_FOUND -> refusal(ErrorCode.WITHDRAWAL_NOT_FOUND, "No withdrawal " + subject, reply);
            case ScriptReply.WITHDRAWAL_NOT_PENDING -> refusal(ErrorCode.WITHDRAWAL_NOT_PENDING,
                    "Withdrawal " + subject + " is already " + reply.text(ScriptReply.WALLET_FIELDS), reply);
            case ScriptReply.IDEMPOTENCY_KEY_REUSED -> refusal(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used with a different request", reply);
            default -> new ApiException(ErrorCode.INTERNAL_ERROR, "Unexpected script reply " + reply.code());
        };
    }

    private static ApiException refusal(ErrorCode code, String detail, ScriptReply reply) {
        return new ApiException(code, detail, List.of(), reply.replayed());
    }
}

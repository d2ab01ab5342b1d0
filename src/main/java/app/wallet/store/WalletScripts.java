package app.wallet.store;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a wallet script: one EVALSHA round trip (EVAL on NOSCRIPT) on the {@link ScriptConnection},
 * answered once its replicas have the change ({@link ReplicaFences}), its flat reply decoded into a
 * {@link ScriptOutcome}.
 *
 * <p>Every run sends a fresh reply token as the script's last argument, and the script ends its reply
 * with it. Lettuce pairs replies with requests by their order on the shared connection; if an error
 * escaping its event loop ever puts that order out of step, each caller is handed another's reply,
 * balances of other wallets included. The token turns that into a failed request (503: the script
 * ran whole or not at all, and an Idempotency-Key retry tells which), and the connection is dropped
 * and opened anew ({@link ScriptConnection#renew()}), which ends the slip for every later request.
 */
@Component
public class WalletScripts {

    private static final Logger log = LoggerFactory.getLogger(WalletScripts.class);

    private final ScriptConnection connection;
    private final TraceParents traceParents;

    public WalletScripts(ScriptConnection connection, TraceParents traceParents) {
        this.connection = connection;
        this.traceParents = traceParents;
    }

    /**
     * Runs a money script; {@code actor}, who asked for the change, goes with it into the ledger and the
     * event, and the request's trace parent into the event.
     */
    public Mono<ScriptOutcome> run(LuaScript script, List<String> keys, List<String> args, String actor) {
        return Mono.deferContextual(context -> run(script, keys, args, traceParents.of(context), actor));
    }

    private Mono<ScriptOutcome> run(LuaScript script, List<String> keys, List<String> args, String traceParent, String actor) {
        String token = token();
        return connection.run(script, keys.toArray(String[]::new), withToken(args, traceParent, actor, token))
                .map(reply -> ScriptOutcome.decode(reply, token))
                .doOnError(RepliesOutOfStepException.class, error -> outOfStep(script));
    }

    /**
     * Runs a money script once per change, all sent pipelined ({@link ScriptConnection#runAll}); each change
     * is its own atomic script with its own reply token. The outcomes come in the order of the changes.
     */
    public Flux<ScriptOutcome> runAll(LuaScript script, List<List<String>> keys, List<List<String>> args, String actor) {
        return Flux.deferContextual(context -> {
            String traceParent = traceParents.of(context);
            List<String> tokens = new ArrayList<>(keys.size());
            List<String[]> allKeys = new ArrayList<>(keys.size());
            List<String[]> allArgs = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                String token = token();
                tokens.add(token);
                allKeys.add(keys.get(i).toArray(String[]::new));
                allArgs.add(withToken(args.get(i), traceParent, actor, token));
            }
            return connection.runAll(script, allKeys, allArgs)
                    .index()
                    .map(reply -> ScriptOutcome.decode(reply.getT2(), tokens.get(reply.getT1().intValue())))
                    .doOnError(RepliesOutOfStepException.class, error -> outOfStep(script));
        });
    }

    private static String token() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static String[] withToken(List<String> args, String traceParent, String actor, String token) {
        String[] withToken = args.toArray(new String[args.size() + 3]);
        withToken[args.size()] = traceParent;
        withToken[args.size() + 1] = actor;
        withToken[args.size() + 2] = token;
        return withToken;
    }

    private void outOfStep(LuaScript script) {
        log.error("A {} script reply did not carry its request's token: Redis replies are out of step "
                + "with requests; renewing the connection", script.name());
        connection.renew();
    }
}

package app.wallet.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

import app.wallet.store.LuaScript;

/**
 * Loads every script into Redis once the service is ready, so a cold burst of requests runs EVALSHA
 * straight away instead of each falling back to EVAL with the whole script text.
 */
@Component
class ScriptPreloader implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(ScriptPreloader.class);

    private final ReactiveStringRedisTemplate redis;
    private final List<LuaScript> scripts;

    ScriptPreloader(ReactiveStringRedisTemplate redis, List<LuaScript> scripts) {
        this.redis = redis;
        this.scripts = scripts;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        Flux.fromIterable(scripts)
                .concatMap(script -> redis.execute(connection -> connection.scriptingCommands()
                        .scriptLoad(ByteBuffer.wrap(script.getScriptAsString().getBytes(StandardCharsets.UTF_8)))))
                .collectList()
                .subscribe(
                        shas -> log.info("Preloaded {} Lua scripts into Redis", shas.size()),
                        error -> log.warn("Could not preload Lua scripts; they load on first use: {}", error.toString()));
    }
}

package app.wallet.config;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a pass of some background work every interval while the application runs, never two passes at once
 * (a tick that comes while a pass runs is dropped); a failed pass is logged and the next one comes as usual.
 */
public abstract class PeriodicTask implements SmartLifecycle {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String pass;
    private final @Nullable Duration interval;
    private volatile @Nullable Disposable running;

    /**
     * @param pass names a pass in the log, e.g. "Audit pass"
     * @param interval the time between passes; {@code null}: the work is off
     */
    protected PeriodicTask(String pass, @Nullable Duration interval) {
        this.pass = pass;
        this.interval = interval;
    }

    protected abstract Mono<?> runPass();

    @Override
    public void start() {
        Duration every = interval;
        if (every == null) {
            return;
        }
        running = Flux.interval(every, every)
                .onBackpressureDrop()
                .concatMap(tick -> runPass().onErrorResume(error -> {
                    log.warn("{} failed: {}", pass, error.toString());
                    return Mono.empty();
                }), 0)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable current = running;
        running = null;
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}

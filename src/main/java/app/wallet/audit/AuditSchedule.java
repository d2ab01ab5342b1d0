package app.wallet.audit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;

/** Runs the audit every {@code wallet.audit.interval}, never two passes at once. */
@Component
class AuditSchedule implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditSchedule.class);

    private final ConsistencyAuditor auditor;
    private final WalletProperties.Audit settings;
    private volatile @Nullable Disposable running;

    AuditSchedule(ConsistencyAuditor auditor, WalletProperties properties) {
        this.auditor = auditor;
        this.settings = properties.audit();
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        running = Flux.interval(settings.interval(), settings.interval())
                .onBackpressureDrop()
                .concatMap(tick -> auditor.audit().onErrorResume(error -> {
                    log.warn("Audit pass failed: {}", error.toString());
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

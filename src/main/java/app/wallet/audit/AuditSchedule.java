package app.wallet.audit;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import app.wallet.config.PeriodicTask;
import app.wallet.config.WalletProperties;

/** Runs the audit every {@code wallet.audit.interval}, never two passes at once. */
@Component
class AuditSchedule extends PeriodicTask {

    private final ConsistencyAuditor auditor;

    AuditSchedule(ConsistencyAuditor auditor, WalletProperties properties) {
        super("Audit pass", properties.audit().enabled() ? properties.audit().interval() : null);
        this.auditor = auditor;
    }

    @Override
    protected Mono<?> runPass() {
        return auditor.audit();
    }
}

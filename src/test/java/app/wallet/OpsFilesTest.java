package app.wallet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard and the Prometheus alert rules in ops/ ask for metrics the service exports (promtool
 * checks the rules' syntax in CI).
 */
class OpsFilesTest extends IntegrationTest {

    private static final Pattern METRIC = Pattern.compile("\\b(wallet_[a-z_]+)\\b");

    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsExported() throws IOException {
        new WalletApi(client).credit(newUserId(), 100);
        String exported = client.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        Set<String> exportedNames = new TreeSet<>();
        exported.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> exportedNames.add(line.replaceAll("[{ ].*", "")));

        Set<String> used = new TreeSet<>();
        used.addAll(metrics(Files.readString(Path.of("ops/wallet-dashboard.json"))));
        used.addAll(metrics(Files.readString(Path.of("ops/wallet-alerts.yml"))));

        assertThat(used).contains("wallet_operations_total", "wallet_outbox_backlog", "wallet_outbox_partitions_held",
                "wallet_balance_consistency_check_failures_total", "wallet_events_publish_failures_total");
        assertThat(exportedNames).containsAll(used);
    }

    private static Set<String> metrics(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}

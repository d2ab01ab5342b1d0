package app.wallet.api;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.WalletApplication;
import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.IntegrationTest;
import app.wallet.support.Invariants;
import app.wallet.support.KafkaEvents;
import app.wallet.support.LocalKafka;
import app.wallet.support.LocalRedis;
import app.wallet.support.LocalTokens;
import app.wallet.support.Pages;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** A wallet's withdrawal policy: its 24-hour limits hold under any concurrency, and auto-approval is one atomic step. */
class WithdrawalPolicyTest extends IntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = new JsonMapper();

    record Reply(int status, JsonNode body) {
    }

    @Test
    void ofAHundredConcurrentWithdrawalsExactlyAsManyAsTheDailyCountAllowsSucceed() {
        String user = newUserId();
        new WalletApi(client).credit(user, 1_000_000);
        setPolicy(user, Map.of("dailyCount", 7));

        List<Reply> replies = burst(100, i -> withdraw(concurrentClient(), user, 100));

        assertThat(replies).filteredOn(r -> r.status() == 201).hasSize(7);
        assertThat(replies).filteredOn(r -> r.status() == 422).hasSize(93).allSatisfy(r -> {
            assertThat(r.body().get("code").stringValue()).isEqualTo("withdrawal-limit-exceeded");
            assertThat(r.body().get("remaining").get("count").longValue()).isZero();
            assertThat(r.body().get("remaining").get("amount").isNull()).isTrue();
        });
        JsonNode wallet = new Invariants(client).assertHold(user);
        assertThat(wallet.get("pending").longValue()).isEqualTo(700);
        assertThat(wallet.get("version").longValue()).isEqualTo(8);
    }

    @Test
    void theDailyAmountHoldsAcrossTwoInstancesSharingOneRedis() {
        String user = newUserId();
        new WalletApi(client).credit(user, 1_000_000);
        // 123 allows exactly 12 withdrawals of 10 among any interleaving; the 13th would make 130.
        setPolicy(user, Map.of("dailyLimit", 123));
        LocalRedis redis = LocalRedis.shared();
        try (ConfigurableApplicationContext other = new SpringApplicationBuilder(WalletApplication.class)
                .properties(LocalTokens.shared().properties().entrySet().stream()
                        .map(property -> property.getKey() + "=" + property.getValue()).toArray(String[]::new))
                .properties("server.port=0", "spring.data.redis.host=" + redis.host(),
                        "spring.data.redis.port=" + redis.port(),
                        "spring.kafka.bootstrap-servers=" + LocalKafka.shared().bootstrapServers(),
                        "wallet.outbox.relay-enabled=false")
                .run()) {
            int otherPort = Integer.parseInt(other.getEnvironment().getRequiredProperty("local.server.port"));
            WebClient first = concurrentClient();
            WebClient second = WebClient.builder().baseUrl("http://127.0.0.1:" + otherPort + "/api/v1")
                    .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();

            List<Reply> replies = burst(100, i -> withdraw(i % 2 == 0 ? first : second, user, 10));

            assertThat(replies).filteredOn(r -> r.status() == 201).hasSize(12);
            assertThat(replies).filteredOn(r -> r.status() == 422).hasSize(88)
                    .allSatisfy(r -> assertThat(r.body().get("remaining").get("amount").longValue()).isEqualTo(3));
        }
        assertThat(new Invariants(client).assertHold(user).get("pending").longValue()).isEqualTo(120);
    }

    @Test
    void aRejectedWithdrawalGivesItsAllowanceBack() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        setPolicy(user, Map.of("dailyCount", 1, "dailyLimit", 5_000));
        String first = api.withdraw(user, 4_000).get("id").stringValue();

        JsonNode refused = client.post().uri("/api/v1/wallets/" + user + "/withdrawals").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("amount", 1_000)).exchange()
                .expectStatus().isEqualTo(422).expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(refused.get("remaining").get("amount").longValue()).isEqualTo(1_000);
        assertThat(refused.get("remaining").get("count").longValue()).isZero();
        assertThat(api.wallet(user).get("version").longValue()).isEqualTo(2);

        api.reject(user, first);
        assertThat(api.withdraw(user, 5_000).get("status").stringValue()).isEqualTo("PENDING");
    }

    @Test
    void aWithdrawalWithinAutoApproveMaxIsApprovedInTheSameStepByThePolicy() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        setPolicy(user, Map.of("autoApproveMax", 500));

        JsonNode approved = api.withdraw(user, 500);
        JsonNode waiting = api.withdraw(user, 501);

        assertThat(approved.get("status").stringValue()).isEqualTo("APPROVED");
        assertThat(approved.get("processedAt").isNull()).isFalse();
        assertThat(approved.get("wallet").get("totalWithdrawn").longValue()).isEqualTo(500);
        assertThat(approved.get("wallet").get("version").longValue()).isEqualTo(3);
        assertThat(waiting.get("status").stringValue()).isEqualTo("PENDING");
        List<JsonNode> ledger = Pages.all(client, "/api/v1/wallets/" + user + "/transactions?limit=100").stream()
                .sorted(Comparator.comparingLong(entry -> entry.get("version").longValue())).toList();
        assertThat(ledger).extracting(entry -> entry.get("type").stringValue())
                .containsExactly("CREDIT", "WITHDRAWAL_REQUESTED", "WITHDRAWAL_APPROVED", "WITHDRAWAL_REQUESTED");
        assertThat(ledger.get(2).get("actor").stringValue()).isEqualTo("system:policy");
        assertThat(ledger.get(1).get("actor").stringValue()).isEqualTo(user);

        try (KafkaEvents kafka = new KafkaEvents(LocalKafka.shared().bootstrapServers())) {
            List<JsonNode> events = kafka.await(Set.of(user), received -> received.size() >= 4, TIMEOUT);
            assertThat(events).extracting(event -> event.get("type").stringValue() + "@" + event.get("walletVersion").longValue())
                    .startsWith("WALLET_CREDITED@1", "WITHDRAWAL_REQUESTED@2", "WITHDRAWAL_APPROVED@3", "WITHDRAWAL_REQUESTED@4");
            assertThat(events.get(2).get("actor").stringValue()).isEqualTo("system:policy");
        }
        new Invariants(client).assertHold(user);
    }

    @Test
    void aWalletsPolicyIsReadAndReplacedWholeAndCheckedFirst() {
        String user = newUserId();
        new WalletApi(client).credit(user, 10);
        client.get().uri("/api/v1/wallets/" + user + "/policy").exchange().expectStatus().isOk()
                .expectBody().json("{\"autoApproveMax\": null, \"dailyLimit\": null, \"dailyCount\": null}");
        setPolicy(user, Map.of("autoApproveMax", 0, "dailyCount", 3));
        client.get().uri("/api/v1/wallets/" + user + "/policy").exchange().expectStatus().isOk()
                .expectBody().json("{\"autoApproveMax\": 0, \"dailyLimit\": null, \"dailyCount\": 3}");

        for (String bad : List.of("{\"dailyCount\": -1}", "{\"dailyLimit\": \"5\"}", "{\"limit\": 5}", "{\"dailyCount\": 10000000}")) {
            client.put().uri("/api/v1/wallets/" + user + "/policy").contentType(MediaType.APPLICATION_JSON).bodyValue(bad)
                    .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("invalid-request");
        }
        client.put().uri("/api/v1/wallets/" + newUserId() + "/policy").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                .exchange().expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
        client.get().uri("/api/v1/wallets/" + user + "/policy").exchange().expectStatus().isOk()
                .expectBody().json("{\"autoApproveMax\": 0, \"dailyLimit\": null, \"dailyCount\": 3}");
    }

    private void setPolicy(String user, Map<String, Object> policy) {
        client.put().uri("/api/v1/wallets/" + user + "/policy").contentType(MediaType.APPLICATION_JSON).bodyValue(policy)
                .exchange().expectStatus().isOk();
    }

    private List<Reply> burst(int requests, IntFunction<Mono<Reply>> request) {
        return Flux.range(0, requests).flatMap(request::apply, 100).collectList().block(TIMEOUT);
    }

    private static Mono<Reply> withdraw(WebClient web, String user, long amount) {
        return web.post().uri("/wallets/" + user + "/withdrawals").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("amount", amount))
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .map(text -> new Reply(response.statusCode().value(), JSON.readTree(text))));
    }
}

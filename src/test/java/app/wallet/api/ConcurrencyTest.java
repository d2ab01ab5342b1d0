package app.wallet.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.support.IntegrationTest;
import app.wallet.support.Invariants;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's race conditions, fired concurrently over HTTP at a real Redis. */
class ConcurrencyTest extends IntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = new JsonMapper();

    record Reply(int status, JsonNode body) {
    }

    @Test
    void ofAHundredConcurrentWithdrawalsOfEightThousandFromTenThousandExactlyOneSucceeds() {
        String user = newUserId();
        new WalletApi(client).credit(user, 10_000);

        List<Reply> replies = burst(100, i -> post("/wallets/" + user + "/withdrawals", Map.of("amount", 8000)));

        assertThat(replies).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(replies).filteredOn(r -> r.status() == 422)
                .hasSize(99)
                .allSatisfy(r -> assertThat(r.body().get("code").stringValue()).isEqualTo("insufficient-balance"));
        JsonNode wallet = new Invariants(client).assertHold(user);
        assertThat(wallet.get("balance").longValue()).isEqualTo(2000);
        assertThat(wallet.get("pending").longValue()).isEqualTo(8000);
        assertThat(wallet.get("version").longValue()).isEqualTo(2);
    }

    @Test
    void aThousandConcurrentCreditsAllCount() {
        String user = newUserId();

        List<Reply> replies = burst(1000, i -> post("/wallets/" + user + "/credits", Map.of("amount", i + 1)));

        assertThat(replies).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        JsonNode wallet = new Invariants(client).assertHold(user);
        assertThat(wallet.get("totalEarnings").longValue()).isEqualTo(1000L * 1001 / 2);
        assertThat(wallet.get("balance").longValue()).isEqualTo(1000L * 1001 / 2);
        assertThat(wallet.get("version").longValue()).isEqualTo(1000);
    }

    @Test
    void ofAConcurrentApproveRejectAndApproveExactlyOneWins() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        String id = api.withdraw(user, 8000).get("id").stringValue();
        String base = "/wallets/" + user + "/withdrawals/" + id;

        List<Reply> replies = burst(3, i -> post(base + (i == 1 ? "/reject" : "/approve"), Map.of()));

        assertThat(replies).filteredOn(r -> r.status() == 200).hasSize(1);
        assertThat(replies).filteredOn(r -> r.status() == 409).hasSize(2)
                .allSatisfy(r -> assertThat(r.body().get("code").stringValue()).isEqualTo("withdrawal-not-pending"));
        String winner = replies.stream().filter(r -> r.status() == 200).findFirst().orElseThrow()
                .body().get("status").stringValue();
        JsonNode wallet = new Invariants(client).assertHold(user);
        assertThat(wallet.get("pending").longValue()).isZero();
        if (winner.equals("APPROVED")) {
            assertThat(wallet.get("totalWithdrawn").longValue()).isEqualTo(8000);
            assertThat(wallet.get("balance").longValue()).isEqualTo(2000);
        }
        else {
            assertThat(wallet.get("totalWithdrawn").longValue()).isZero();
            assertThat(wallet.get("balance").longValue()).isEqualTo(10_000);
        }
        assertThat(wallet.get("version").longValue()).isEqualTo(3);
    }

    @Test
    void aMixedConcurrentRunKeepsEveryWalletConsistent() {
        List<String> users = List.of(newUserId(), newUserId(), newUserId(), newUserId());
        WalletApi api = new WalletApi(client);
        users.forEach(user -> api.credit(user, 5_000));
        Map<String, AtomicLong> credited = Map.of(users.get(0), new AtomicLong(5_000), users.get(1), new AtomicLong(5_000),
                users.get(2), new AtomicLong(5_000), users.get(3), new AtomicLong(5_000));
        List<String> withdrawals = Collections.synchronizedList(new ArrayList<>());

        burst(400, i -> {
            String user = users.get(i % users.size());
            long amount = 1 + ThreadLocalRandom.current().nextLong(900);
            return switch (i % 4) {
                case 0 -> post("/wallets/" + user + "/credits", Map.of("amount", amount)).doOnNext(r -> {
                    if (r.status() == 200) {
                        credited.get(user).addAndGet(amount);
                    }
                });
                case 1, 2 -> post("/wallets/" + user + "/withdrawals", Map.of("amount", amount)).doOnNext(r -> {
                    if (r.status() == 201) {
                        withdrawals.add(user + "/" + r.body().get("id").stringValue());
                    }
                });
                default -> Mono.fromSupplier(() -> withdrawals.isEmpty() ? null
                                : withdrawals.get(ThreadLocalRandom.current().nextInt(withdrawals.size())))
                        .flatMap(w -> post("/wallets/" + w.replace("/", "/withdrawals/")
                                + (ThreadLocalRandom.current().nextBoolean() ? "/approve" : "/reject"), Map.of()));
            };
        });

        Invariants invariants = new Invariants(client);
        for (String user : users) {
            JsonNode wallet = invariants.assertHold(user);
            assertThat(wallet.get("totalEarnings").longValue()).isEqualTo(credited.get(user).get());
        }
    }

    private List<Reply> burst(int requests, java.util.function.IntFunction<Mono<Reply>> request) {
        return Flux.range(0, requests)
                .flatMap(request::apply, 100)
                .collectList()
                .block(TIMEOUT);
    }

    private Mono<Reply> post(String path, Object body) {
        WebClient web = concurrentClient();
        return web.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .map(text -> new Reply(response.statusCode().value(), JSON.readTree(text))));
    }
}

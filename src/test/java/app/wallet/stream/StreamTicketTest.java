package app.wallet.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.spi.ILoggingEvent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;

import app.wallet.store.WalletKeys;
import app.wallet.support.ApiContract;
import app.wallet.support.IntegrationTest;
import app.wallet.support.LoggedEvents;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stream tickets: what a browser's EventSource, which cannot send a token, opens a stream with. The access
 * log is on here, to show that it does not carry them either.
 */
@TestPropertySource(properties = "wallet.http.access-log=true")
class StreamTicketTest extends IntegrationTest {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENTS = new ParameterizedTypeReference<>() {
    };

    @Autowired
    private ReactiveStringRedisTemplate redis;

    @Autowired
    private WalletKeys keys;

    @Test
    void aTicketOpensItsWalletsStreamOnceWithoutAToken() {
        String user = newUserId();
        new WalletApi(client).credit(user, 40);
        try (LoggedEvents logged = LoggedEvents.all()) {
            JsonNode ticket = issue(user);
            String value = ticket.get("ticket").stringValue();
            assertThat(redis.getExpire(keys.streamTicket(user, value)).block()).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60));

            List<ServerSentEvent<String>> received = new CopyOnWriteArrayList<>();
            Disposable stream = browser().get().uri("/wallets/{u}/stream?ticket={t}", user, value).accept(MediaType.TEXT_EVENT_STREAM)
                    .retrieve().bodyToFlux(EVENTS).filter(event -> event.data() != null).subscribe(received::add);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
                assertThat(received.get(0).event()).isEqualTo("balance");
                new WalletApi(client).credit(user, 2);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
            }
            finally {
                stream.dispose();
            }

            // Used: a second open with it is refused, as an unknown one is.
            refused(user, value);
            refused(user, "A".repeat(43));
            refused(user, "short");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> logged.events().stream()
                    .anyMatch(event -> event.getLoggerName().endsWith("AccessLog") && event.getFormattedMessage().contains("/stream ")));
            assertThat(logged.events()).extracting(ILoggingEvent::getFormattedMessage)
                    .noneMatch(message -> message.contains(value));
        }
    }

    @Test
    void aTicketOfAnotherWalletOpensNothingAndStaysGoodForItsOwn() {
        String owner = newUserId();
        String other = newUserId();
        new WalletApi(client).credit(owner, 1);
        new WalletApi(client).credit(other, 1);
        String value = issue(owner).get("ticket").stringValue();

        refused(other, value);

        browser().get().uri("/wallets/{u}/stream?ticket={t}", owner, value).accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(EVENTS).filter(event -> event.data() != null).blockFirst(Duration.ofSeconds(10));
    }

    @Test
    void onlyWhoMayReadTheStreamGetsATicketAndOnlyForAWallet() {
        String user = newUserId();
        unauthenticatedClient().post().uri("/api/v1/wallets/" + user + "/stream-tickets").exchange()
                .expectStatus().isUnauthorized();
        client.post().uri("/api/v1/wallets/" + user + "/stream-tickets").exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
        // Without a ticket, the stream still needs a token.
        unauthenticatedClient().get().uri("/api/v1/wallets/" + user + "/stream").exchange().expectStatus().isUnauthorized();
    }

    private JsonNode issue(String user) {
        return client.post().uri("/api/v1/wallets/" + user + "/stream-tickets").exchange()
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private void refused(String user, String ticket) {
        unauthenticatedClient().get().uri("/api/v1/wallets/{u}/stream?ticket={t}", user, ticket).accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueMatches("WWW-Authenticate", "Bearer.*")
                .expectBody().jsonPath("$.code").isEqualTo("unauthorized");
    }

    /** What a browser sends: no Authorization header. */
    private WebClient browser() {
        return WebClient.builder().baseUrl("http://127.0.0.1:" + port + "/api/v1").filter(ApiContract.checked()).build();
    }
}

package app.wallet.stream;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thousand streams of one wallet on one instance all receive a change. The heap and delivery times it
 * logs are measurements for the operator, not assertions.
 */
class StreamFanOutTest extends IntegrationTest {

    private static final Logger log = LoggerFactory.getLogger(StreamFanOutTest.class);
    private static final int STREAMS = 1000;

    @Autowired
    private BalanceHub hub;

    @Autowired
    private ReactiveStringRedisTemplate redis;

    @Test
    void aThousandStreamsAllReceiveAChange() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 100);
        ConnectionProvider connections = ConnectionProvider.builder("fan-out").maxConnections(STREAMS + 10)
                .pendingAcquireMaxCount(-1).build();
        // The clients' own event loops: shutting them down at the end closes every client socket for sure.
        LoopResources loops = LoopResources.create("fan-out-client", 1, true);
        WebClient web = WebClient.builder().baseUrl("http://127.0.0.1:" + port + "/api/v1")
                .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope())
                .clientConnector(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
                        HttpClient.create(connections).runOn(loops)))
                .build();
        long heapBefore = usedHeapAfterGc();
        long readsBefore = walletReads();

        ConcurrentLinkedQueue<Long> firstEvents = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> deliveredAt = new ConcurrentLinkedQueue<>();
        List<Disposable> streams = new ArrayList<>();
        try {
            for (int i = 0; i < STREAMS; i++) {
                streams.add(web.get().uri("/wallets/{u}/stream", user).accept(MediaType.TEXT_EVENT_STREAM)
                        .retrieve().bodyToFlux(BalanceStreamIntegrationTest.EVENTS)
                        .filter(event -> event.data() != null)
                        .subscribe(event -> (BalanceStreamIntegrationTest.version(event) == 1 ? firstEvents : deliveredAt)
                                .add(System.nanoTime())));
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> firstEvents.size() == STREAMS);
            // Each stream reads the wallet after subscribing to its changes, but the reads of streams
            // opening together are shared: a thousand opens are far fewer than a thousand reads.
            long reads = walletReads() - readsBefore;
            assertThat(reads).isLessThan(STREAMS);
            long heapWithStreams = usedHeapAfterGc();

            long sent = System.nanoTime();
            api.credit(user, 1);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deliveredAt.size() == STREAMS);

            List<Long> millis = deliveredAt.stream().map(at -> (at - sent) / 1_000_000).sorted().toList();
            log.info("{} streams ({} wallet reads to open them): heap {} MiB before, {} MiB with them open ({} KiB a stream); "
                    + "delivery p50 {} ms, p99 {} ms, max {} ms",
                    STREAMS, reads, heapBefore >> 20, heapWithStreams >> 20, (heapWithStreams - heapBefore) / STREAMS >> 10,
                    millis.get(millis.size() / 2), millis.get(millis.size() * 99 / 100), millis.get(millis.size() - 1));
            assertThat(deliveredAt).hasSize(STREAMS);
        }
        finally {
            streams.forEach(Disposable::dispose);
            connections.disposeLater().then(loops.disposeLater()).block(Duration.ofSeconds(30));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !hub.isWatched(user));
    }

    /** HGETALLs Redis has served so far: how wallets are read. */
    private long walletReads() {
        java.util.Properties stats = redis.getConnectionFactory().getReactiveConnection().serverCommands()
                .info("commandstats").block(Duration.ofSeconds(5));
        String hgetall = stats.getProperty("cmdstat_hgetall", "calls=0,");
        return Long.parseLong(hgetall.substring(hgetall.indexOf("calls=") + 6, hgetall.indexOf(',', hgetall.indexOf("calls="))));
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

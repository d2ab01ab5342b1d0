package app.wallet.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import app.wallet.support.IntegrationTest;
import app.wallet.support.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/** What one instance lets a client hold: connections that send no request, or send one too slowly, and how many. */
@TestPropertySource(properties = {"server.netty.idle-timeout=2s", "wallet.http.max-connections=40"})
class ConnectionLimitsTest extends IntegrationTest {

    @Test
    void anIdleConnectionIsClosed() throws IOException {
        try (RawHttp idle = new RawHttp(port)) {
            long start = System.nanoTime();
            assertThat(idle.closedByServer()).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_500L, 9_000L);
        }
    }

    @Test
    void headersTrickledInAByteAtATimeDoNotHoldTheConnection() throws IOException, InterruptedException {
        try (RawHttp slow = new RawHttp(port)) {
            slow.send("GET /api/v1/wallets/x HTTP/1.1\r\nHost: x\r\n");
            long start = System.nanoTime();
            boolean closed = false;
            // One byte every 300 ms keeps the socket busy; the request head never completes.
            while (!closed && System.nanoTime() - start < 10_000_000_000L) {
                try {
                    slow.send("X");
                }
                catch (IOException e) {
                    closed = true;
                    break;
                }
                Thread.sleep(300);
                slow.timeout(1);
                closed = slow.closedByServer();
            }
            assertThat(closed).as("closed by the server").isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(6_000L);
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAndTheServerStillServes() throws IOException {
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                held.add(new RawHttp(port));
            }
            int refused = 0;
            // A refused connection is closed as it is accepted; 60 checks of 20 ms each end well inside
            // the 2 s idle timeout, which would otherwise close the accepted ones too.
            for (RawHttp connection : held) {
                connection.timeout(20);
                if (connection.closedByServer()) {
                    refused++;
                }
            }
            // Forty accepted, less the few the test's own clients may hold.
            assertThat(refused).isBetween(20, 26);
        }
        finally {
            for (RawHttp connection : held) {
                connection.close();
            }
        }
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    }
}

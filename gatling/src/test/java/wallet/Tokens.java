package wallet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gatling.javaapi.core.Session;

/**
 * Bearer tokens per role. {@code -DcreditToken} (scope {@code wallet:credit}) and {@code -DoperatorToken}
 * ({@code wallet:operate}) are used as given; missing ones, and each wallet owner's token ({@code sub} =
 * the wallet id, {@code wallet:read wallet:withdraw}), are asked of {@code -DtokenUrl}, by default the
 * local run's {@code POST /local/tokens}. Owner tokens are fetched before the run starts, never on a
 * virtual user's turn.
 */
final class Tokens {

    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    private final String url;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final String credit;
    private final String operator;

    Tokens(String baseUrl) {
        this.url = WalletLoad.stringProperty("tokenUrl", baseUrl + "/local/tokens");
        this.credit = given("creditToken", "gatling-earnings", "wallet:credit");
        this.operator = given("operatorToken", "gatling-operator", "wallet:operate");
    }

    Function<Session, String> credit() {
        return session -> "Bearer " + credit;
    }

    Function<Session, String> operator() {
        return session -> "Bearer " + operator;
    }

    /** The owner's token of the wallet named by the session attribute. */
    Function<Session, String> ownerOf(String walletAttribute) {
        return session -> "Bearer " + owners.get(session.getString(walletAttribute));
    }

    void fetchOwners(List<String> walletIds) {
        for (String walletId : walletIds) {
            owners.computeIfAbsent(walletId, id -> fetch(id, "wallet:read wallet:withdraw"));
        }
    }

    private String given(String property, String subject, String scope) {
        String token = WalletLoad.stringProperty(property, "");
        return token.isEmpty() ? fetch(subject, scope) : token;
    }

    private String fetch(String subject, String scope) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sub\":\"" + subject + "\",\"scope\":\"" + scope + "\"}"))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            Matcher token = TOKEN.matcher(response.body());
            if (response.statusCode() != 200 || !token.find()) {
                throw new IllegalStateException("No token from " + url + " (" + response.statusCode() + "): pass "
                        + "-DcreditToken, -DoperatorToken and a -DtokenUrl that issues owner tokens");
            }
            return token.group(1);
        }
        catch (IOException e) {
            throw new IllegalStateException("No token from " + url + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while fetching a token", e);
        }
    }
}

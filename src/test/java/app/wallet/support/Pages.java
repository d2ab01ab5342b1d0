package app.wallet.support;

import java.util.ArrayList;
import java.util.List;

import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Every item of a paged listing ({@code {"items", "nextCursor"}}), following its cursors from the first page. */
public final class Pages {

    private Pages() {
    }

    /** @param firstPage the first page's path and query, which holds a {@code ?} already */
    public static List<JsonNode> all(WebTestClient client, String firstPage) {
        List<JsonNode> items = new ArrayList<>();
        String uri = firstPage;
        while (uri != null) {
            JsonNode page = client.get().uri(uri).exchange().expectStatus().isOk()
                    .expectBody(JsonNode.class).returnResult().getResponseBody();
            page.get("items").forEach(items::add);
            JsonNode cursor = page.get("nextCursor");
            uri = cursor.isNull() ? null : firstPage + "&cursor=" + cursor.stringValue();
        }
        return items;
    }

    /** The ids of every item. */
    public static List<String> ids(WebTestClient client, String firstPage) {
        return all(client, firstPage).stream().map(item -> item.get("id").stringValue()).toList();
    }
}

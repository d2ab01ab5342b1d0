package app.wallet.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The OpenAPI description of the HTTP API, {@code contracts/wallet-api.openapi.yaml}, where integrators and
 * their generators look for it: JSON at {@code /v3/api-docs}, the YAML as kept at {@code /v3/api-docs.yaml}.
 * It is written by hand, next to the routes it describes, and the tests hold every route and response to it.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsRouter {

    static final String DOCUMENT = "contracts/wallet-api.openapi.yaml";
    private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    @Bean
    RouterFunction<ServerResponse> apiDocsRoutes() {
        byte[] yaml = read(DOCUMENT);
        byte[] json = JsonMapper.shared().writeValueAsBytes(YAMLMapper.shared().readValue(yaml, JsonNode.class));
        return route()
                .GET("/v3/api-docs", request -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json))
                .GET("/v3/api-docs.yaml", request -> ServerResponse.ok().contentType(YAML).bodyValue(yaml))
                .build();
    }

    private static byte[] read(String path) {
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException("The API description " + path + " is missing from the jar", e);
        }
    }
}

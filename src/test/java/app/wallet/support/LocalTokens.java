package app.wallet.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.sun.net.httpserver.HttpServer;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * A token issuer of our own for the local run and the tests: an RSA key made at start-up, its public
 * half served as a JWK set on a loopback port, and RS256 tokens signed with it. The service is set up
 * exactly as against a real issuer ({@code jwk-set-uri}, {@code issuer-uri}, {@code audiences}); only
 * this class knows the private key.
 */
public final class LocalTokens implements AutoCloseable {

    public static final String AUDIENCE = "wallet-service";
    private static final String KEY_ID = "local-1";
    private static volatile LocalTokens shared;

    private final HttpServer jwks;
    private final NimbusJwtEncoder encoder;
    private final NimbusJwtEncoder forger;
    private final String issuer;

    private LocalTokens() {
        KeyPair keys = rsa();
        this.encoder = encoder(keys);
        // Another key under the same key id: what a forger who knows the service's issuer would send.
        this.forger = encoder(rsa());
        byte[] jwkSet = new JWKSet(new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID(KEY_ID).build())
                .toString().getBytes(StandardCharsets.UTF_8);
        try {
            this.jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot serve the local JWK set", e);
        }
        jwks.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwkSet.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(jwkSet);
            }
        });
        jwks.start();
        this.issuer = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/local-issuer";
    }

    public static LocalTokens shared() {
        if (shared == null) {
            synchronized (LocalTokens.class) {
                if (shared == null) {
                    shared = new LocalTokens();
                    Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "jwks-shutdown"));
                }
            }
        }
        return shared;
    }

    /** The standard Spring Boot properties that make the service trust this issuer's tokens. */
    public Map<String, String> properties() {
        return Map.of(
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks",
                "spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer,
                "spring.security.oauth2.resourceserver.jwt.audiences", AUDIENCE);
    }

    /** A token for {@code subject} with the scopes (space-separated), valid for {@code validity}. */
    public String token(String subject, String scope, Duration validity) {
        return token(claims -> claims.subject(subject).claim("scope", scope)
                .expiresAt(Instant.now().plus(validity)));
    }

    /** A token valid for an hour, its claims adjusted by {@code claims}, which may override any of them. */
    public String token(Consumer<JwtClaimsSet.Builder> claims) {
        return sign(encoder, claims);
    }

    /** A well-formed token signed with a key the service does not trust. */
    public String forged(String subject, String scope) {
        return sign(forger, claims -> claims.subject(subject).claim("scope", scope));
    }

    private String sign(NimbusJwtEncoder with, Consumer<JwtClaimsSet.Builder> adjust) {
        Instant now = Instant.now();
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
                .issuer(issuer)
                .audience(List.of(AUDIENCE))
                .issuedAt(now)
                .notBefore(now)
                .expiresAt(now.plus(Duration.ofHours(1)))
                .id(UUID.randomUUID().toString());
        adjust.accept(claims);
        JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).keyId(KEY_ID).build();
        return with.encode(JwtEncoderParameters.from(header, claims.build())).getTokenValue();
    }

    private static NimbusJwtEncoder encoder(KeyPair keys) {
        RSAKey key = new RSAKey.Builder((RSAPublicKey) keys.getPublic()).privateKey((RSAPrivateKey) keys.getPrivate())
                .keyID(KEY_ID).build();
        return new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(key)));
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        jwks.stop(0);
    }
}

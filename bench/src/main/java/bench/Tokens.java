package bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Signs the benchmark's bearer tokens with a fresh RS256 key, as an issuer would:
 * {@code Tokens <dir> <users>} writes {@code public.pem} (the service's
 * {@code jwt.public-key-location}), {@code credit.token} (an earnings service: {@code wallet:credit}),
 * {@code operator.token} ({@code wallet:operate}),
 * and {@code users.tokens}, one line {@code bench-<i> <token>} per user with {@code wallet:read
 * wallet:withdraw}. Every token has the audience {@code wallet-service} and is valid for a day.
 */
public final class Tokens {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int users = Integer.parseInt(args[1]);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Files.writeString(dir.resolve("public.pem"), pem);
        Files.writeString(dir.resolve("credit.token"), sign(keys.getPrivate(), "bench-earnings", "wallet:credit") + "\n");
        Files.writeString(dir.resolve("operator.token"), sign(keys.getPrivate(), "bench-operator", "wallet:operate") + "\n");
        List<String> lines = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            lines.add("bench-" + i + " " + sign(keys.getPrivate(), "bench-" + i, "wallet:read wallet:withdraw"));
        }
        Files.write(dir.resolve("users.tokens"), lines);
    }

    static String sign(PrivateKey key, String subject, String scope) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String header = encode("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        String payload = encode("{\"sub\":\"" + subject + "\",\"scope\":\"" + scope + "\",\"aud\":\"wallet-service\",\"iat\":"
                + now + ",\"exp\":" + (now + 86_400) + "}");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + URL.encodeToString(rsa.sign());
    }

    private static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}

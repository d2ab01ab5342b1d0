package app.wallet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the wallet service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WalletApplication {

    /** Serves; or, with {@code repartition N} as its first arguments, runs that offline command and exits. */
    public static void main(String[] args) {
        if (args.length > 0 && "repartition".equals(args[0])) {
            System.exit(RepartitionCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(WalletApplication.class, args);
    }
}

package app.wallet;

import java.io.File;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;

import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local run's wallet page in a real, headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}): a balance watched through a stream ticket, and the operator queue. Runs with
 * {@code ./mvnw -Pbrowser test}, apart from {@code ./mvnw verify}, which needs only a JDK.
 */
@Import(LocalWalletApplication.LocalIssuer.class)
class LocalPageBrowserTest extends IntegrationTest {

    private static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    private static final String DRIVER = System.getProperty("chromium.driver", "/usr/bin/chromedriver");

    private static ChromeDriver browser;

    @BeforeAll
    static void openBrowser() {
        assertThat(new File(CHROMIUM)).as("Chromium (apt-get install chromium chromium-driver)").canRead();
        assertThat(new File(DRIVER)).as("its driver (apt-get install chromium-driver)").canRead();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).build(), options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aCreditMadeOverHttpShowsOnThePageWithinASecond() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 100);
        browser.get("http://127.0.0.1:" + port + "/local/wallet?user=" + user);
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("version"), "1"));

        api.credit(user, 250);

        new WebDriverWait(browser, Duration.ofSeconds(1), Duration.ofMillis(20))
                .until(ExpectedConditions.textToBe(By.id("balance"), "350"));
        assertThat(browser.findElement(By.id("version")).getText()).isEqualTo("2");
    }

    @Test
    void anApprovalClickedOnThePageMovesTheBalance() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 1_000);
        String withdrawalId = api.withdraw(user, 400).get("id").stringValue();
        browser.get("http://127.0.0.1:" + port + "/local/wallet?user=" + user + "&role=operator");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(ExpectedConditions.textToBe(By.id("pending"), "400"));

        wait.until(ExpectedConditions.elementToBeClickable(By.id("approve-" + withdrawalId))).click();

        wait.until(ExpectedConditions.textToBe(By.id("totalWithdrawn"), "400"));
        assertThat(browser.findElement(By.id("pending")).getText()).isEqualTo("0");
        assertThat(browser.findElement(By.id("balance")).getText()).isEqualTo("600");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.id("withdrawal-" + withdrawalId), 0));
        JsonNode withdrawal = client.get().uri("/api/v1/wallets/" + user + "/withdrawals/" + withdrawalId).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(withdrawal.get("status").stringValue()).isEqualTo("APPROVED");
    }
}

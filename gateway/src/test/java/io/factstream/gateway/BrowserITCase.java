package io.factstream.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Objects;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Wait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code bin/test} installs): a customer logs in, tops up, places an order through the form, and watches it reach
 * COMPLETED on the order board as the kitchen and the courier do their part. It writes screenshots under
 * {@code target/}.
 */
class BrowserITCase {

    @RegisterExtension
    static final GatewayTestPlatform.Shared PLATFORM = new GatewayTestPlatform.Shared();

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static WebDriver browser;
    private static GatewayClient api;

    @BeforeAll
    static void openBrowser() {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("headless Chromium is needed at %s with %s: run bin/test, which installs Debian's chromium "
                        + "and chromium-driver", CHROMIUM, CHROMEDRIVER).isTrue();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        api = new GatewayClient(PLATFORM.get().gateway.url());
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aCustomerPlacesAnOrderThroughTheFormAndWatchesItCompleteOnTheBoard() throws Exception {
        for (int c = 61; c <= 64; c++) { // other customers' orders, so that the board is not empty
            api.fund("customer-" + c, 20_000);
            api.placeOrder("customer-" + c, "order-web-" + c);
        }
        browser.get(PLATFORM.get().gateway.url().toString());
        // The page renders lists again on every live update: an element found a moment ago may be gone, so every
        // read goes through the wait, which finds it again.
        Wait<WebDriver> wait = new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(StaleElementReferenceException.class);

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-user"))).sendKeys("customer-60");
        browser.findElement(By.id("login-token")).sendKeys(GatewayTestPlatform.token("customer-60"));
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("page-customer")));
        assertThat(text(wait, By.id("who-name"))).isEqualTo("customer-60");

        browser.findElement(By.id("topup-amount")).clear();
        browser.findElement(By.id("topup-amount")).sendKeys("40");
        browser.findElement(By.cssSelector("#topup-form button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("wallet-balance"), "€40.00"));

        browser.findElement(By.id("place-order")).click();
        By outcome = By.id("order-outcome");
        wait.until(driver -> !Objects.toString(driver.findElement(outcome).getAttribute("data-status"), "").isEmpty());
        assertThat(attribute(wait, outcome, "data-status")).as(text(wait, outcome)).isEqualTo("201");
        assertThat(attribute(wait, outcome, "class")).contains("good");
        String orderId = attribute(wait, outcome, "data-order-id");
        assertThat(text(wait, outcome)).contains(orderId).contains("placed");
        screenshot("gateway-customer.png");

        api.cookAndDeliver(orderId);
        api.cookAndDeliver("order-web-61");
        browser.findElement(By.cssSelector("#nav a[data-page=board]")).click();
        By completed = By.cssSelector("#cards-COMPLETED article[data-order-id='" + orderId + "']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(completed));

        assertThat(text(wait, completed)).contains(orderId).contains("customer-60");
        assertThat(text(wait, By.id("count-COMPLETED"))).isNotEqualTo("0");
        assertThat(text(wait, By.id("board-live"))).isEqualTo("live");
        screenshot("gateway-board.png");

        browser.findElement(By.cssSelector("#nav a[data-page=customer]")).click();
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("#my-orders li[data-order-id='" + orderId + "']"),
                "data-status", "COMPLETED"));
        assertThat(text(wait, By.id("wallet-balance"))).isNotEqualTo("€40.00"); // paid

        browser.findElement(By.cssSelector("#nav a[data-page=catalog]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("catalog"), "PlaceOrder"));
        assertThat(text(wait, By.id("catalog"))).contains("POST /api/orders/{orderId}/PlaceOrder");
    }

    /** The element's text, found again if the page replaced it while it was read. */
    private static String text(Wait<WebDriver> wait, By element) {
        return wait.until(driver -> driver.findElement(element).getText());
    }

    /** The element's attribute ("" when it has none), found again if the page replaced it while it was read. */
    private static String attribute(Wait<WebDriver> wait, By element, String name) {
        return wait.until(driver -> Objects.toString(driver.findElement(element).getAttribute(name), ""));
    }

    private static void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}

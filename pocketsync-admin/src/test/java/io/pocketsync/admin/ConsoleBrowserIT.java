package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The web console in a real browser (headless Chromium): sign in with the admin token, see a device connect, see a
 * conflict with both sides and the winner, and revoke a device with its button. The screenshot of the last state is
 * written to {@code target/console.png} (and to {@code -Dpocketsync.console.screenshot=PATH} when given: docs/console.png
 * comes from such a run).
 */
class ConsoleBrowserIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private AdminTestServer server;
    private ChromeDriver browser;
    private TestDevice phone;
    private TestDevice laptop;

    @BeforeEach
    void start() throws Exception {
        server = AdminTestServer.start(dir, "node-1", "alice:alice-token");
        phone = new TestDevice(dir.resolve("phone.db"), server.websocket(), "alice", "alice-token").start();
        awaitPage().until(phone::connected);
        phone.execute("INSERT INTO items (id, title) VALUES ('groceries', 'milk, eggs')");
        browser = Chromium.start(dir.resolve("chromium-profile"));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (laptop != null) {
            laptop.close();
        }
        phone.close();
        server.close();
    }

    private WebElement deviceRow(String device) {
        List<WebElement> rows = browser.findElements(By.cssSelector("#devices tbody tr[data-device='" + device + "']"));
        return rows.isEmpty() ? null : rows.get(0);
    }

    private String state(String device) {
        WebElement row = deviceRow(device);
        return row == null ? null : row.getAttribute("data-state");
    }

    @Test
    void anOperatorSeesDevicesAndConflictsAndRevokesADevice() throws Exception {
        browser.get(server.console().toString());
        browser.findElement(By.id("token")).sendKeys(AdminTestServer.TOKEN);
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        awaitPage().until(() -> "connected".equals(state(phone.id())));
        assertThat(browser.findElement(By.id("server-info")).getText()).contains("node node-1").contains("sqlite");

        // a device connects: it appears, live
        laptop = new TestDevice(dir.resolve("laptop.db"), server.websocket(), "alice", "alice-token").start();
        awaitPage().until(() -> "connected".equals(state(laptop.id())));
        awaitPage().until(() -> "milk, eggs".equals(laptop.title("groceries")));

        // a conflict: the laptop edits offline (taken off for a while), the phone edits the same row later
        server.post("api/scopes/alice/devices/" + laptop.id() + "/revoke", null);
        awaitPage().until(() -> !laptop.connected());
        laptop.execute("UPDATE items SET title = 'milk, eggs, bread' WHERE id = 'groceries'");
        laptop.execute("INSERT INTO users (id, email) VALUES ('laptop-user', 'alice@example.com')");
        phone.execute("INSERT INTO users (id, email) VALUES ('phone-user', 'alice@example.com')");
        phone.execute("UPDATE items SET title = 'milk, eggs, coffee' WHERE id = 'groceries'");
        awaitPage().until(() -> server.get("api/scopes/alice").path("head").asLong() == 3);
        server.post("api/scopes/alice/devices/" + laptop.id() + "/allow", null);

        awaitPage().untilAsserted(() -> {
            WebElement conflict = browser.findElement(By.cssSelector("#conflicts .conflict"));
            assertThat(conflict.findElement(By.cssSelector(".side.loser")).getText()).contains("Lost")
                    .contains("milk, eggs, bread").contains(laptop.id());
            assertThat(conflict.findElement(By.cssSelector(".side.winner")).getText()).contains("Won")
                    .contains("milk, eggs, coffee").contains(phone.id());
        });
        awaitPage().untilAsserted(() -> assertThat(browser.findElement(By.cssSelector("#rejected tbody tr")).getText())
                .contains("UNIQUE_CONFLICT"));
        awaitPage().until(() -> "connected".equals(state(laptop.id())));

        // revoke the phone with its button
        awaitPage().until(() -> {
            deviceRow(phone.id()).findElement(By.cssSelector("button[data-action=revoke]")).click();
            return true;
        });
        browser.findElement(By.id("revoke-reason")).sendKeys("lost on the train");
        browser.findElement(By.id("revoke-confirm")).click();

        awaitPage().until(() -> "revoked".equals(state(phone.id())));
        awaitPage().untilAsserted(() -> assertThat(deviceRow(phone.id()).getText()).contains("lost on the train"));
        awaitPage().until(() -> phone.errors().contains(ErrorCode.DEVICE_REVOKED) && !phone.connected());
        phone.execute("UPDATE items SET title = 'written after the revocation' WHERE id = 'groceries'");
        assertThat(server.get("api/scopes/alice/devices/" + phone.id()).path("revoked").path("reason").asText())
                .isEqualTo("lost on the train");
        awaitPage().until(() -> deviceRow(phone.id()).findElements(By.cssSelector("button[data-action=allow]")).size() == 1);

        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", "console.png"), png);
        String copy = System.getProperty("pocketsync.console.screenshot");
        if (copy != null && !copy.isBlank()) {
            Files.write(Path.of(copy), png);
        }
        assertThat(laptop.title("groceries")).isEqualTo("milk, eggs, coffee");
    }

    /**
     * An await that looks again when the console re-rendered the element between finding it and reading it: the page
     * refreshes its tables on its own, so any element found may go stale (StaleElementReferenceException), and one
     * not shown yet is not found (NoSuchElementException). One predicate for both: each {@code ignoreException} call
     * replaces the one before, so chaining two ignored only the second (a stale click failed CI once).
     */
    private static ConditionFactory awaitPage() {
        return await().atMost(WAIT).ignoreExceptionsMatching(e ->
                e instanceof StaleElementReferenceException || e instanceof NoSuchElementException);
    }
}

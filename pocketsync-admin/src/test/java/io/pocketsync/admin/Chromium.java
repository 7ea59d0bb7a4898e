package io.pocketsync.admin;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven through Debian's {@code chromium} and {@code chromium-driver} (scripts/test.sh installs them
 * when absent; {@code PS_CHROMIUM} / {@code PS_CHROMEDRIVER} point elsewhere). Started with a fresh profile and every
 * background network feature off: the machine has no network beyond loopback.
 */
final class Chromium {
    private Chromium() {}

    static ChromeDriver start(Path profile) throws IOException {
        String browser = find("PS_CHROMIUM", List.of("/usr/bin/chromium", "/usr/bin/chromium-browser"));
        String driver = find("PS_CHROMEDRIVER", List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,1000", "--user-data-dir=" + Files.createDirectories(profile));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driver))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static String find(String variable, List<String> candidates) {
        String given = System.getenv(variable);
        if (given != null && !given.isBlank()) {
            return given;
        }
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no " + candidates.get(0) + ": install Debian's chromium and chromium-driver"
                + " (scripts/test.sh does: apt-get install -y chromium chromium-driver) or set " + variable);
    }
}

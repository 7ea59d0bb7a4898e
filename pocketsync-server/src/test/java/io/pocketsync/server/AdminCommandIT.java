package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocketsync server --admin-port} from the shaded jar, as an operator starts it: the console and the API answer. */
class AdminCommandIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");
    private static final String TOKEN = "jar-admin-token-0123456789";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServerCommandServesTheConsoleAndTheApiWithTheTokenFromTheEnvironment() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        int adminPort = TestPorts.freePort();
        Path log = dir.resolve("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "server",
                "--port", Integer.toString(TestPorts.freePort()), "--db", dir.resolve("server.db").toString(),
                "--token", "team:team-token", "--admin-port", Integer.toString(adminPort)))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("POCKETSYNC_ADMIN_TOKEN", TOKEN);
        Process process = builder.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> answers(adminPort) || !process.isAlive());
            assertThat(process.isAlive()).as("log: %s", Files.readString(log)).isTrue();

            HttpResponse<String> page = get(adminPort, "/", null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("PocketSync console");
            HttpResponse<String> info = get(adminPort, "/api/info", TOKEN);
            assertThat(info.statusCode()).isEqualTo(200);
            assertThat(info.body()).contains("\"version\":\"" + VersionProvider.version() + "\"").contains("\"name\":\"sqlite\"");
            assertThat(get(adminPort, "/api/info", "wrong-token-wrong-token").statusCode()).isEqualTo(401);

            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(log)).contains("Admin API on http://127.0.0.1:" + adminPort).doesNotContain(TOKEN);
        }
        finally {
            process.destroyForcibly();
        }
    }

    @Test
    void anAdminPortWithoutATokenStopsTheCommandWithAConfigError() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "server",
                "--port", Integer.toString(TestPorts.freePort()), "--db", dir.resolve("server.db").toString(),
                "--token", "team:team-token", "--admin-port", "0")).redirectErrorStream(true);
        builder.environment().remove("POCKETSYNC_ADMIN_TOKEN");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(output).isNotZero();
        assertThat(output).contains("needs a token").contains("POCKETSYNC_ADMIN_TOKEN").contains("CONFIG_INVALID");
    }

    private boolean answers(int port) {
        try {
            return get(port, "/", null).statusCode() == 200;
        }
        catch (Exception e) {
            return false;
        }
    }
}

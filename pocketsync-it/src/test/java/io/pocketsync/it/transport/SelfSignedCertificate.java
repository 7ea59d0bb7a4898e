package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for 127.0.0.1 made with the JDK's keytool: a server key store and a client trust store. */
record SelfSignedCertificate(Path keystore, Path truststore, String password) {
    static SelfSignedCertificate create(Path dir) throws IOException, InterruptedException {
        String password = "it-" + UUID.randomUUID();
        Path keystore = dir.resolve("server.p12");
        Path truststore = dir.resolve("trust.p12");
        Path certificate = dir.resolve("server.crt");
        keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
        keytool(dir, "-exportcert", "-alias", "server", "-keystore", keystore.toString(), "-storepass", password,
                "-file", certificate.toString());
        keytool(dir, "-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", password);
        return new SelfSignedCertificate(keystore, truststore, password);
    }

    Map<String, String> serverConfig() {
        return Map.of("keystore-path", keystore.toString(), "keystore-password", password);
    }

    Map<String, String> clientConfig() {
        return Map.of("truststore-path", truststore.toString(), "truststore-password", password);
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
    }
}

package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A device compares checksums only with a server that sums the same row hash. */
class ChecksumAlgorithmTest {
    @TempDir
    Path dir;
    InMemoryNetwork network;
    ScriptedSyncServer server;
    PocketSyncDevice device;

    @BeforeEach
    void setUp() {
        network = new InMemoryNetwork(100_000);
        server = new ScriptedSyncServer(network.serverTransport(), 1000);
    }

    @AfterEach
    void tearDown() {
        if (device != null) {
            device.close();
        }
        network.close();
    }

    @Test
    void answersOfAServerThatSumsAnotherHashAreNotComparedAndNothingIsRepaired() throws Exception {
        TestDb db = new TestDb(dir, "a.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, done INTEGER)");
        // the first version's server: its sums can never match this device's, whatever the rows
        TableChecksum.Builder other = new TableChecksum.Builder("todo");
        other.add("g1", 12345);
        server.verification = verify -> new Checksums(ProtocolVersion.CURRENT, verify.requestId(), server.head(),
                List.of(other.build()), List.of(), List.of(), List.of(), List.of(), RowHash.FIRST_ALGORITHM);
        device = PocketSyncDevice.builder().dataSource(db.dataSource).tables("todo").scope("test-scope").token("secret")
                .server(URI.create("mem://server")).transport(network.clientTransport())
                .options(DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20))).build();
        device.start();
        db.exec("INSERT INTO todo (id, title, done) VALUES ('a', 'milk', 0)");
        await().until(() -> server.head() == 1);

        VerifyReport report = device.verify(true).get();

        assertThat(report.compared()).isFalse();
        assertThat(server.verifications).hasSize(1).allSatisfy(verify -> assertThat(verify.algorithm()).isEqualTo(RowHash.ALGORITHM));
        assertThat(device.verify(true).get().compared()).as("not asked again this session").isFalse();
        assertThat(server.verifications).hasSize(1);
        assertThat(db.count("SELECT count(*) FROM todo")).isEqualTo(1);
    }

    @Test
    void theFirstCheckOfASessionComparesTheChecksumsTheFinalPageCarriedWithoutAsking() {
        TestDb db = new TestDb(dir, "b.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, done INTEGER)");
        db.exec("INSERT INTO todo (id, title, done) VALUES ('a', 'milk', 0)");
        device = PocketSyncDevice.builder().dataSource(db.dataSource).tables("todo").scope("test-scope").token("secret")
                .server(URI.create("mem://server")).transport(network.clientTransport())
                .options(DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20))).build();
        device.start();

        await().until(() -> device.checksumStats().checks() == 1);

        assertThat(server.pagesWithChecksums).isPositive();
        assertThat(server.verifications).as("no VERIFY: the page's checksums were compared").isEmpty();
        assertThat(device.checksumStats().mismatches()).isZero();
    }
}

package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Causality whatever the clocks say: a device that received another device's value, by any path (a LIVE message, a
 * catch-up page, the winner in an ACK), and then edits that row, stamps the edit after the value it saw. The remote
 * value may come from a clock days ahead of this device's, and this device's own clock may be days off the server's
 * (the offset it measured). Without the merge, last-write-wins would silently revert the edit.
 */
class CausalityPropertiesTest {
    private static final long DAY = 86_400_000L;

    enum Path_ { LIVE, CATCH_UP, ACK_WINNER }

    @Property(tries = 60)
    void anEditAfterSeeingAValueOrdersAfterIt(@ForAll @LongRange(min = -3 * DAY, max = 3 * DAY) long remoteAheadMillis,
            @ForAll @LongRange(min = -DAY, max = DAY) long deviceOffsetMillis, @ForAll Path_ path) throws IOException {
        Path dir = Files.createTempDirectory("causality");
        TestDb db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        try (SqliteTriggerCapture capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS)) {
            capture.install(List.of("todo"));
            capture.clockOffset(deviceOffsetMillis);
            db.exec("INSERT INTO todo (id, title) VALUES ('r', 'mine')");
            LocalChange mine = capture.pending(0, 10).get(0);
            String gid = mine.change().globalId();
            Hlc remoteClock = Hlc.of(System.currentTimeMillis() + remoteAheadMillis, 7);
            Change seen = new Change("remote-1", "todo", gid, Op.UPDATE, row("id", "r", "title", "theirs"), List.of("title"),
                    remoteClock, "other-device");
            switch (path) {
                case ACK_WINNER -> capture.acknowledge(List.of(ChangeResult.superseded(mine.change().changeId(), seen, 2)));
                case LIVE -> {
                    capture.acknowledge(List.of(ChangeResult.applied(mine.change().changeId(), 1)));
                    capture.apply(List.of(seen), List.of(2L), 0, 2, ChangesMode.LIVE, true);
                }
                case CATCH_UP -> {
                    capture.acknowledge(List.of(ChangeResult.applied(mine.change().changeId(), 1)));
                    capture.apply(List.of(seen), List.of(2L), 0, 2, ChangesMode.CATCH_UP, true);
                }
            }
            assertThat(db.query("SELECT title FROM todo")).containsExactly(row("title", "theirs"));

            db.exec("UPDATE todo SET title = 'edited after seeing theirs'");
            List<LocalChange> pending = capture.pending(0, 10);
            assertThat(pending).hasSize(1);
            assertThat(pending.get(0).change().version()).isGreaterThan(seen.version());
        }
        finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            row.put((String) kv[i], kv[i + 1]);
        }
        return row;
    }
}

package io.pocketsync.api.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.store.RowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Hashes computed ahead are those computed now, however often asked, and a small batch is not handed off. */
class IncomingHashesTest {
    private static List<Change> batch(int size) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            changes.add(new Change("c" + i, "todo", "g" + i, Op.INSERT, Map.of("title", "row " + i, "n", (long) i), List.of(),
                    Hlc.of(1_900_000_000_000L + i, 0), "device-a"));
        }
        return changes;
    }

    @Test
    void hashesAskedTwiceAreTheImagesHashes() {
        List<Change> changes = batch(IncomingHashes.AHEAD_FROM * 2);
        Supplier<IncomingHashes> ahead = IncomingHashes.ahead(changes);

        IncomingHashes first = ahead.get();

        assertThat(ahead.get()).isSameAs(first);
        for (Change change : changes) {
            assertThat(first.hashOf(RowKey.of(change), change.row()))
                    .isEqualTo(RowHash.of(change.table(), change.globalId(), change.row()));
        }
    }

    @Test
    void aSmallBatchIsHashedWhenAsked() {
        assertThat(IncomingHashes.ahead(batch(IncomingHashes.AHEAD_FROM - 1)).get()).isSameAs(IncomingHashes.none());
    }
}

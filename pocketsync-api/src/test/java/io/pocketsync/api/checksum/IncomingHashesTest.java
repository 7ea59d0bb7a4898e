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
        IncomingHashes.Cursor cursor = first.cursor();
        for (Change change : changes) {
            assertThat(cursor.find(RowKey.of(change), change.row())).isTrue();
            assertThat(cursor.hash()).isEqualTo(RowHash.of(change.table(), change.globalId(), change.row()));
            assertThat(cursor.bucket()).isEqualTo(RowHash.bucket(change.globalId()));
        }
    }

    @Test
    void aSmallBatchIsHashedWhenAsked() {
        assertThat(IncomingHashes.ahead(batch(IncomingHashes.AHEAD_FROM - 1)).get()).isSameAs(IncomingHashes.none());
    }

    @Test
    void aBatchAskedAtOnceIsHashedByTheAskerWhereNoThreadGotToIt() {
        List<Change> changes = batch(IncomingHashes.CHUNK * 20 + 5);

        IncomingHashes hashes = IncomingHashes.ahead(changes).get();

        IncomingHashes.Cursor cursor = hashes.cursor();
        for (Change change : changes) {
            assertThat(cursor.find(RowKey.of(change), change.row())).isTrue();
            assertThat(cursor.hash()).isEqualTo(RowHash.of(change.table(), change.globalId(), change.row()));
        }
    }

    @Test
    void anImageNoChangeBroughtIsNotFound() {
        List<Change> changes = batch(IncomingHashes.AHEAD_FROM);
        IncomingHashes hashes = IncomingHashes.of(changes);
        Change first = changes.get(0);

        IncomingHashes.Cursor cursor = hashes.cursor();

        // an equal map that is not the change's own (a merge's image) is hashed by the caller
        assertThat(cursor.find(RowKey.of(first), new java.util.HashMap<>(first.row()))).isFalse();
        // the image of one row under another row's key hashes differently
        assertThat(cursor.find(RowKey.of(changes.get(1)), first.row())).isFalse();
        assertThat(cursor.find(RowKey.of(first), first.row())).isTrue();
    }

    @Test
    void aChunkAThreadIsStillOnIsHashedByTheAskerWithoutWaitingAndItsLateResultChangesNothing() {
        List<Change> changes = batch(IncomingHashes.CHUNK * 3);
        IncomingHashes.Ahead ahead = new IncomingHashes.Ahead(changes.toArray(Change[]::new));
        int first = ahead.take();
        ahead.finish(first);
        int second = ahead.take(); // a hashing thread took it and is still on it

        IncomingHashes hashes = ahead.get();
        ahead.finish(second); // and finishes after the store asked

        assertThat(ahead.take()).isGreaterThanOrEqualTo(3); // the store took the third chunk: none is left
        IncomingHashes.Cursor cursor = hashes.cursor();
        for (Change change : changes) {
            assertThat(cursor.find(RowKey.of(change), change.row())).isTrue();
            assertThat(cursor.hash()).isEqualTo(RowHash.of(change.table(), change.globalId(), change.row()));
            assertThat(cursor.bucket()).isEqualTo(RowHash.bucket(change.globalId()));
        }
    }
}

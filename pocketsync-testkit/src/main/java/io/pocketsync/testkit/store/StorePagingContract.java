package io.pocketsync.testkit.store;

import static io.pocketsync.testkit.store.TestChanges.delete;
import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ServerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Part of the {@link AbstractServerStoreContractTest store contract}: catch-up pages, bounded, ordered by
 * sequence, resumable from their cursor, with or without tombstones.
 */
abstract class StorePagingContract extends StoreResolutionContract {
    // ---------------------------------------------------------------- pages

    @Test
    void pagesAreBoundedOrderedBySequenceAndResumeFromTheirCursor() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        for (int i = 0; i < 10; i++) {
            store.apply(scope, List.of(insert("c" + i, "r" + i, nextHlc(), row("n", (long) i))), lww());
        }
        store.apply(scope, List.of(update("u3", "r3", nextHlc(), row("n", 33L)), update("u1", "r1", nextHlc(), row("n", 11L))),
                lww());

        List<RowState> read = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        while (true) {
            CatchUpPage page = store.page(scope, cursor, 3, true);
            pages++;
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(3);
            for (RowState state : page.rows()) {
                assertThat(state.lastSequence()).isGreaterThan(cursor).isLessThanOrEqualTo(page.nextCursor());
            }
            assertThat(page.rows()).isSortedAccordingTo((a, b) -> Long.compare(a.lastSequence(), b.lastSequence()));
            assertThat(page.nextCursor()).isGreaterThanOrEqualTo(cursor);
            read.addAll(page.rows());
            cursor = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertThat(pages).isEqualTo(4);
        assertThat(cursor).isEqualTo(12);
        assertThat(read).extracting(RowState::globalId)
                .containsExactly("r0", "r2", "r4", "r5", "r6", "r7", "r8", "r9", "r3", "r1");
        assertThat(read).extracting(RowState::lastSequence).containsExactly(1L, 3L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(read.get(9).row()).isEqualTo(row("n", 11L));
        assertThat(read.get(9).firstSequence()).isEqualTo(2);

        CatchUpPage middle = store.page(scope, 10, 100, true);
        assertThat(middle.rows()).extracting(RowState::globalId).containsExactly("r3", "r1");
        assertThat(middle.hasMore()).isFalse();
    }

    @Test
    void pageAtTheHeadIsEmptyAndKeepsTheCursor() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        assertThat(store.page(scope, 0, 10, true)).isEqualTo(new CatchUpPage(List.of(), 0, false));
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row())), lww());

        assertThat(store.page(scope, 1, 10, true)).isEqualTo(new CatchUpPage(List.of(), 1, false));
        assertThat(store.page(scope, 0, 1, true).hasMore()).isFalse();
    }

    @Test
    void pageWithoutDeletedRowsSkipsTombstones() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        for (int i = 0; i < 8; i++) {
            store.apply(scope, List.of(insert("c" + i, "r" + i, nextHlc(), row("n", (long) i))), lww());
        }
        for (int i = 0; i < 8; i += 2) {
            store.apply(scope, List.of(delete("d" + i, "r" + i, nextHlc())), lww());
        }

        List<RowState> live = new ArrayList<>();
        long cursor = 0;
        for (int guard = 0; guard < 100; guard++) {
            CatchUpPage page = store.page(scope, cursor, 2, false);
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(2).noneMatch(RowState::deleted);
            live.addAll(page.rows());
            cursor = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertThat(live).extracting(RowState::globalId).containsExactly("r1", "r3", "r5", "r7");
        assertThat(store.page(scope, 0, 100, true).rows()).hasSize(8).filteredOn(RowState::deleted).hasSize(4);
    }

    @Test
    void pagesWithoutTombstonesAlwaysMoveForwardAndMissNothingEvenAmongManyTombstones() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        List<Change> batch = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            batch.add(insert("c" + i, "r" + i, nextHlc(), row("n", (long) i)));
        }
        store.apply(scope, batch, lww());
        List<Change> deletes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            if (i % 20 != 7) {
                deletes.add(delete("d" + i, "r" + i, nextHlc()));
            }
        }
        store.apply(scope, deletes, lww());

        List<String> live = new ArrayList<>();
        long cursor = 0;
        for (int guard = 0; guard < 1000; guard++) {
            CatchUpPage page = store.page(scope, cursor, 2, false);
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(2).noneMatch(RowState::deleted);
            for (RowState state : page.rows()) {
                assertThat(state.lastSequence()).isGreaterThan(cursor).isLessThanOrEqualTo(page.nextCursor());
            }
            if (page.hasMore()) {
                // an empty page is allowed, but only if it made progress
                assertThat(page.nextCursor()).isGreaterThan(cursor);
            }
            page.rows().forEach(state -> live.add(state.globalId()));
            cursor = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertThat(live).containsExactly("r7", "r27", "r47");
    }

    @Test
    void pageExposesFirstSequenceSoTheEngineCanDropRowsBornAndDiedAfterACursor() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(insert("c1", "old", nextHlc(), row("title", "old"))), lww());
        long deviceCursor = store.info(scope).head();
        store.apply(scope, List.of(insert("c2", "young", nextHlc(), row("title", "young"))), lww());
        store.apply(scope, List.of(delete("c3", "young", nextHlc()), delete("c4", "old", nextHlc())), lww());

        Map<String, RowState> page = store.page(scope, deviceCursor, 10, true).rows().stream()
                .collect(Collectors.toMap(RowState::globalId, state -> state));

        assertThat(page.get("young")).extracting(RowState::deleted, RowState::firstSequence).containsExactly(true, 2L);
        assertThat(page.get("young").firstSequence()).isGreaterThan(deviceCursor);
        assertThat(page.get("old")).extracting(RowState::deleted, RowState::firstSequence).containsExactly(true, 1L);
        assertThat(page.get("old").toChange(deviceCursor).op()).isEqualTo(Op.DELETE);
    }
}

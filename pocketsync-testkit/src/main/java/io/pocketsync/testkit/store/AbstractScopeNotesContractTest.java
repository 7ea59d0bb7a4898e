package io.pocketsync.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ScopeNotes;
import io.pocketsync.api.store.ServerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ServerStore#scopeNotes()}: the operators' notes of each scope (revoked devices, resyncs asked
 * for, last sightings) survive a restart, are shared by every node over the same data, and stay in their scope. A
 * store's test extends this class and implements {@link #newStore} like for {@code AbstractServerStoreContractTest}:
 * every call in one test opens a store over the same data (a restart, or a second node).
 */
public abstract class AbstractScopeNotesContractTest extends StoreContractFixture {
    private ScopeNotes notes(String node) {
        return open(node).scopeNotes()
                .orElseThrow(() -> new AssertionError("the store keeps no scope notes (scopeNotes() is empty)"));
    }

    @Test
    void writtenNotesAreReadBackAndReplaced() {
        ScopeNotes notes = notes("node-1");
        Scope scope = uniqueScope();
        assertThat(notes.read(scope)).isEmpty();

        notes.write(scope, Map.of("revoked.dev-a", "1700000000000|lost phone", "seen.dev-b", "x|y"));
        notes.write(scope, Map.of("seen.dev-b", "z"));

        assertThat(notes.read(scope)).isEqualTo(Map.of("revoked.dev-a", "1700000000000|lost phone", "seen.dev-b", "z"));
        assertThat(notes.read(scope, List.of("seen.dev-b", "resync.dev-a"))).isEqualTo(Map.of("seen.dev-b", "z"));
        assertThat(notes.read(scope, List.of())).isEmpty();
    }

    @Test
    void removedNotesAreGoneAndUnknownNamesAreIgnored() {
        ScopeNotes notes = notes("node-1");
        Scope scope = uniqueScope();
        notes.write(scope, Map.of("a", "1", "b", "2", "c", "3"));

        notes.remove(scope, List.of("a", "c", "never-written"));
        notes.remove(uniqueScope(), List.of("b"));

        assertThat(notes.read(scope)).isEqualTo(Map.of("b", "2"));
        notes.remove(scope, Set.of("b"));
        assertThat(notes.read(scope)).isEmpty();
    }

    @Test
    void notesStayInTheirScopeAndDoNotMakeAScopeHoldData() {
        ServerStore store = open("node-1");
        ScopeNotes notes = store.scopeNotes().orElseThrow();
        Scope one = uniqueScope();
        Scope other = uniqueScope();

        notes.write(one, Map.of("revoked.dev-a", "1"));

        assertThat(notes.read(other)).isEmpty();
        assertThat(notes.read(other, List.of("revoked.dev-a"))).isEmpty();
        assertThat(store.scopes()).doesNotContain(one);
        assertThat(store.info(one).head()).isZero();
    }

    @Test
    void notesSurviveARestartAndAreSharedByNodes() {
        Scope scope = uniqueScope();
        notes("node-1").write(scope, Map.of("revoked.dev-a", "1700000000000|stolen"));

        ScopeNotes other = notes("node-2");
        assertThat(other.read(scope, List.of("revoked.dev-a"))).containsEntry("revoked.dev-a", "1700000000000|stolen");
        other.remove(scope, List.of("revoked.dev-a"));
        other.write(scope, Map.of("resync.dev-a", "1700000000001"));

        assertThat(notes("node-3").read(scope)).isEqualTo(Map.of("resync.dev-a", "1700000000001"));
    }

    @Test
    void valuesKeepEveryCharacterUpToTheLongestAllowed() {
        ScopeNotes notes = notes("node-1");
        Scope scope = uniqueScope();
        String longest = "x".repeat(ScopeNotes.MAX_VALUE_LENGTH - 14) + "|é€😀 <'\";\\%_*";
        String longName = "n".repeat(ScopeNotes.MAX_NAME_LENGTH - 2) + "_%";

        notes.write(scope, Map.of(longName, longest, "empty", ""));

        assertThat(notes.read(scope)).isEqualTo(Map.of(longName, longest, "empty", ""));
        // a name with LIKE or glob characters matches only itself
        assertThat(notes.read(scope, List.of("n%", "n*", "_%"))).isEmpty();
    }

    @Test
    void nodesWritingDifferentNamesAtOnceLoseNeither() throws Exception {
        Scope scope = uniqueScope();
        ScopeNotes first = notes("node-1");
        ScopeNotes second = notes("node-2");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                writes.add(pool.submit(() -> first.write(scope, Map.of("seen.a" + n, "1"))));
                writes.add(pool.submit(() -> second.write(scope, Map.of("seen.b" + n, "2"))));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(notes("node-3").read(scope)).hasSize(100);
    }
}

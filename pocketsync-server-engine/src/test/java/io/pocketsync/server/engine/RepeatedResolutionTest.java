package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.server.engine.conflict.ClientWinsResolver;
import io.pocketsync.testkit.store.ForwardingServerStore;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The ACK is built from the outcome the store returns, never from what the resolvers were shown: a store may
 * call them any number of times (an optimistic store plans again after a conflict, a blind attempt plans
 * against rows it guessed absent), and only the resolution it kept counts.
 */
class RepeatedResolutionTest {
    private static final String SCOPE = "scope-r";
    private static final Change LATER = change("later-1", "dev-b", 200, "later");
    private static final Change OLDER = change("older-1", "dev-a", 100, "older");

    /** Resolves every change of a batch once more after storing it, against no row: a discarded blind attempt. */
    private static final class ResolvingAgainStore extends ForwardingServerStore {
        ResolvingAgainStore(ServerStore delegate) {
            super(delegate);
        }

        @Override
        public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
            for (Change change : changes) {
                resolvers.apply(change.table()).resolve(null, change);
            }
            BatchOutcome outcome = super.apply(scope, changes, resolvers);
            for (Change change : changes) {
                resolvers.apply(change.table()).resolve(null, change);
            }
            return outcome;
        }
    }

    @Test
    void aStoreThatCallsTheResolverAgainGetsTheSameAck() {
        // client-wins applies an older change over a later stored row: the ACK must send the device the result.
        List<Ack> acks = List.of(pushOlderOverLater(new InMemoryServerStore()),
                pushOlderOverLater(new ResolvingAgainStore(new InMemoryServerStore())));

        ChangeResult once = acks.get(0).results().get(0);
        assertThat(once.status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(once.winner()).as("the stored result, for the device to write back").isNotNull();
        assertThat(once.winner().row()).containsEntry("title", "older");
        assertThat(acks.get(1).results()).isEqualTo(acks.get(0).results());
    }

    private static Ack pushOlderOverLater(ServerStore store) {
        TableResolvers clientWins = TableResolvers.of(new ClientWinsResolver(), Map.of());
        try (store; ServerHarness harness = new ServerHarness(store, SCOPE, clientWins,
                ServerOptions.builder().nodeId("test-node").build())) {
            harness.connect("dev-b", 0).push(LATER);
            return harness.connect("dev-a", 0).push(OLDER);
        }
    }

    private static Change change(String id, String device, long millis, String title) {
        return new Change(id, "items", "g1", Op.UPDATE, Map.of("title", title), List.of("title"),
                Hlc.of(ServerHarness.NOW_MILLIS + millis, 0), device);
    }
}

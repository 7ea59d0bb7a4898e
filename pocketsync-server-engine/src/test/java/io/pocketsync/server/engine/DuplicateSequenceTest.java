package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.ForwardingServerStore;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A re-sent change is answered DUPLICATE with the stored row's sequence, which the device records as the
 * sequence of the state it holds; with sequence 0 ("unknown") the device releases a remote change it had
 * deferred for that change, as it must after a REJECTED. So when the stored row cannot be read, the batch
 * is answered with a retryable ERROR instead of a DUPLICATE without its sequence.
 */
class DuplicateSequenceTest {
    private static final Scope SCOPE = Scope.of("scope-dup");

    private final InMemoryServerStore delegate = new InMemoryServerStore();
    private final RowReadsFailing store = new RowReadsFailing(delegate);
    private final ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        harness.close();
        delegate.close();
    }

    @Test
    void aDuplicateWhoseStoredRowCannotBeReadIsARetryableErrorNotASequencelessDuplicate() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        Change change = a.insert("g1", 0, Map.of("title", "x"));
        assertThat(a.push(change).results().get(0).sequence()).isEqualTo(1);

        store.failRowReads(1);
        a.send(new Push(ProtocolVersion.CURRENT, "again", List.of(change)));
        Message answer = a.await(Message.class, m -> m instanceof Ack ack && ack.batchId().equals("again")
                || m instanceof ErrorMessage e && "again".equals(e.refId()));

        assertThat(answer).isInstanceOfSatisfying(ErrorMessage.class, error -> {
            assertThat(error.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
            assertThat(error.code().retryable()).isTrue();
        });

        a.send(new Push(ProtocolVersion.CURRENT, "again", List.of(change)));
        ChangeResult result = a.await(Ack.class, ack -> ack.batchId().equals("again")).results().get(0);
        assertThat(result.status()).isEqualTo(ChangeStatus.DUPLICATE);
        assertThat(result.sequence()).isEqualTo(1);
    }

    /** Fails the next {@code row} reads with STORE_UNAVAILABLE (e.g. a Redis timeout); everything else passes through. */
    private static final class RowReadsFailing extends ForwardingServerStore {
        private final AtomicInteger failures = new AtomicInteger();

        RowReadsFailing(ServerStore delegate) {
            super(delegate);
        }

        void failRowReads(int count) {
            failures.set(count);
        }

        @Override
        public Optional<RowState> row(Scope scope, String table, String globalId) {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "injected read timeout");
            }
            return super.row(scope, table, globalId);
        }
    }
}

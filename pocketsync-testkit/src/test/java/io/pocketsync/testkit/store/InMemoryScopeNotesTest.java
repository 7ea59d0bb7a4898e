package io.pocketsync.testkit.store;

import io.pocketsync.api.store.ServerStore;
import java.time.Clock;

/** The scope-notes contract on the in-memory double; every store of a test shares one data set. */
class InMemoryScopeNotesTest extends AbstractScopeNotesContractTest {
    private InMemoryServerStore data;

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        if (data == null) {
            data = new InMemoryServerStore(nodeId, clock);
            return data;
        }
        return data.sharing(nodeId);
    }
}

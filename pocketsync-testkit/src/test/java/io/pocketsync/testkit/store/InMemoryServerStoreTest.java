package io.pocketsync.testkit.store;

import io.pocketsync.api.store.ServerStore;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The in-memory double passes the same contract as the real stores, so engine tests over it mean something.
 * Every store of one test shares one data set (a second "node" over the same memory).
 */
class InMemoryServerStoreTest extends AbstractServerStoreContractTest {
    private final Map<String, InMemoryServerStore> nodes = new HashMap<>();
    private InMemoryServerStore data;

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        if (data == null) {
            data = new InMemoryServerStore(nodeId, clock);
        }
        return nodes.computeIfAbsent(nodeId, id -> data.sharing(id));
    }
}

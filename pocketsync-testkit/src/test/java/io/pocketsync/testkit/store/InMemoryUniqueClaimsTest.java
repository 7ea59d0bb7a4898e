package io.pocketsync.testkit.store;

import io.pocketsync.api.store.ServerStore;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** The unique-claim contract on the in-memory double; the stores of one test are nodes over one data set. */
class InMemoryUniqueClaimsTest extends AbstractUniqueClaimsContractTest {
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

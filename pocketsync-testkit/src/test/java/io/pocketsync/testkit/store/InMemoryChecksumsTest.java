package io.pocketsync.testkit.store;

import io.pocketsync.api.store.ServerStore;
import java.time.Clock;

/** The checksum contract on the in-memory store; every store of a test shares its data (a second node). */
class InMemoryChecksumsTest extends AbstractChecksumContractTest {
    private InMemoryServerStore first;

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        if (first == null) {
            first = new InMemoryServerStore(nodeId, clock);
            return first;
        }
        return first.sharing(nodeId);
    }
}

package io.pocketsync.testkit.store;

import io.pocketsync.api.store.ServerStore;
import java.time.Clock;

/** The device-mark contract on the in-memory double; every store of a test shares one data set. */
class InMemoryDeviceMarkTest extends AbstractDeviceMarkContractTest {
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

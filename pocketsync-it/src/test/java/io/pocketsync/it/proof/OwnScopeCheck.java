package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The convergence check of the devices of two scopes ({@link Fleet#withOwnScope()}): each holds its own scope's tags as
 * the server has them (its clones too, which share the scope), and that scope holds nothing but its own writes.
 */
final class OwnScopeCheck {
    private OwnScopeCheck() {}

    /**
     * @param ownTagWrites the tag writes the devices of two scopes made in their own scope during the run
     */
    static void assertOwnScopes(ServerStore store, List<SimDevice> devices, int ownTagWrites) {
        boolean any = false;
        for (SimDevice device : devices) {
            if (device.ownScope() == null) {
                continue;
            }
            any = true;
            Map<String, Map<String, Object>> own = Canonical.serverRows(store, Scope.of(device.ownScope()), SimDevice.TAGS);
            assertThat(own.values()).as("%s's own scope holds its own tags only", device.name())
                    .allMatch(row -> String.valueOf(row.get("label")).startsWith("own-"));
            try {
                assertThat(device.tagRows()).as("%s tags equal its own scope's on the server", device.name()).isEqualTo(own);
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        if (any) {
            assertThat(ownTagWrites).as("tag writes in the devices' own scope").isPositive();
        }
    }
}

package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.testkit.conflict.AbstractConflictResolverContractTest;

class ClientWinsResolverContractTest extends AbstractConflictResolverContractTest {
    @Override
    protected ConflictResolver resolver() {
        return new ClientWinsResolver();
    }
}

package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.testkit.conflict.AbstractConflictResolverContractTest;

class LastWriteWinsResolverContractTest extends AbstractConflictResolverContractTest {
    @Override
    protected ConflictResolver resolver() {
        return new LastWriteWinsResolver();
    }

    @Override
    protected boolean claimsCommutative() {
        return true;
    }

    @Override
    protected boolean claimsLastWriterWinsDeletes() {
        return true;
    }
}

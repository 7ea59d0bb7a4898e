package io.pocketsync.examples.resolver;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.testkit.conflict.AbstractConflictResolverContractTest;

/** The contract every resolver must meet, from {@code pocketsync-testkit}: a plugin's test is these few lines. */
class MaxCounterResolverContractTest extends AbstractConflictResolverContractTest {
    @Override
    protected ConflictResolver resolver() {
        // The kit's rows have an integer "done" column (0 or 1): used as the counter, it exercises both
        // the max rule and, since values tie often, the Version tie-break.
        return new MaxCounterResolver("done");
    }

    @Override
    protected boolean claimsLastWriterWinsDeletes() {
        return true;
    }
}

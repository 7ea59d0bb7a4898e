package io.pocketsync.api.conflict;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import org.jspecify.annotations.Nullable;

/**
 * Decides between the server's stored state of a row and an incoming change to it.
 * Built-ins: {@code last-write-wins} (default), {@code field-merge}, {@code server-wins},
 * {@code client-wins}.
 *
 * <p>Contract (checked by {@code AbstractConflictResolverContractTest}):
 * <ul>
 *   <li>Deterministic: the same inputs always give the same decision, on every server node.</li>
 *   <li>Pure: no I/O, no clock reads, no randomness; called inside the store's atomic section,
 *       possibly more than once for one change when an optimistic store retries.</li>
 *   <li>If {@link #commutative()} is true, applying any set of changes in any order yields the
 *       same final state.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface ConflictResolver {
    /**
     * Resolves one change.
     *
     * @param current the stored state of the row, including tombstones; null when the server has never seen the row
     * @param incoming the change a device pushed; already validated
     * @return the decision; never null
     */
    Resolution resolve(@Nullable RowState current, Change incoming);

    /**
     * Whether the final state is independent of the order changes arrive in.
     *
     * @return false by default; true promises the property above, which the contract test then checks
     */
    default boolean commutative() {
        return false;
    }
}

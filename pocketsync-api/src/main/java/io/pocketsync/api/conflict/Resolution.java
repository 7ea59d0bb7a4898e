package io.pocketsync.api.conflict;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.RowState;

/**
 * A resolver's decision for one incoming change.
 *
 * <ul>
 *   <li>{@link Apply}: {@code state} becomes the row's new state (the incoming image, or a merge).</li>
 *   <li>{@link Supersede}: the stored state stays; the incoming change lost and the device gets the winner.</li>
 *   <li>{@link Reject}: the change is refused with a code; the stored state stays.</li>
 * </ul>
 */
public sealed interface Resolution {
    /** The row's new state; its sequences are assigned by the store. */
    record Apply(RowState state) implements Resolution {
        public Apply {
            requireNonNull(state, "state is null");
        }
    }

    /** The stored state wins. */
    record Supersede() implements Resolution {}

    /** The change is refused. */
    record Reject(ErrorCode code, String reason) implements Resolution {
        public Reject {
            requireNonNull(code, "code is null");
            requireNonNull(reason, "reason is null");
        }
    }

    static Resolution apply(RowState state) {
        return new Apply(state);
    }

    static Resolution supersede() {
        return new Supersede();
    }

    static Resolution reject(ErrorCode code, String reason) {
        return new Reject(code, reason);
    }
}

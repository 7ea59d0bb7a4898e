package io.pocketsync.testkit.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Version;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small resolvers for store tests. They are test doubles, not the built-in resolvers of
 * {@code pocketsync-server-engine}: a store test must not depend on the engine.
 */
public final class TestResolvers {
    /** Column that makes {@link #rejectingMarked()} refuse a change when its value is 1. */
    public static final String REJECT_COLUMN = "reject";

    private TestResolvers() {}

    /**
     * Whole-row last-write-wins by {@link Version}; ties (same version) keep the stored state.
     *
     * @return the resolver
     */
    public static ConflictResolver lastWriteWins() {
        return (current, incoming) -> current == null || incoming.version().isAfter(current.version())
                ? Resolution.applyIncoming(current, incoming)
                : Resolution.supersede();
    }

    /**
     * Applies every change as it is, whatever its version: the stored row never wins.
     *
     * @return the resolver
     */
    public static ConflictResolver clientWins() {
        return Resolution::applyIncoming;
    }

    /**
     * Last-write-wins that also records a version per column, to prove stores keep column versions.
     *
     * @return the resolver
     */
    public static ConflictResolver lastWriteWinsWithColumnVersions() {
        ConflictResolver lww = lastWriteWins();
        return (current, incoming) -> {
            Resolution resolution = lww.resolve(current, incoming);
            if (resolution instanceof Resolution.Apply apply) {
                Map<String, Version> versions = new LinkedHashMap<>();
                incoming.row().keySet().forEach(column -> versions.put(column, incoming.version()));
                RowState state = apply.state();
                return Resolution.apply(current, incoming, new RowState(state.table(), state.globalId(), state.row(),
                        state.deleted(), state.version(), versions, state.lastChangeId(), 0, 0));
            }
            return resolution;
        };
    }

    /**
     * Rejects changes whose image has {@link #REJECT_COLUMN} = 1; otherwise last-write-wins.
     *
     * @return the resolver
     */
    public static ConflictResolver rejectingMarked() {
        ConflictResolver lww = lastWriteWins();
        return (current, incoming) -> Long.valueOf(1).equals(incoming.row().get(REJECT_COLUMN))
                ? Resolution.reject(ErrorCode.RESOLVER_REJECTED, "marked for rejection")
                : lww.resolve(current, incoming);
    }

    /**
     * Last-write-wins that adds {@code column = value} to every applied image (a "merging" resolver).
     *
     * @param column the column to add
     * @param value its value
     * @return the resolver
     */
    public static ConflictResolver stamping(String column, Object value) {
        requireNonNull(column, "column is null");
        ConflictResolver lww = lastWriteWins();
        return (current, incoming) -> {
            Resolution resolution = lww.resolve(current, incoming);
            if (resolution instanceof Resolution.Apply apply && !apply.state().deleted()) {
                RowState state = apply.state();
                Map<String, Object> row = new LinkedHashMap<>(state.row());
                row.put(column, value);
                return Resolution.apply(current, incoming, new RowState(state.table(), state.globalId(), row, false,
                        state.version(), state.columnVersions(), state.lastChangeId(), 0, 0));
            }
            return resolution;
        };
    }

    /**
     * Last-write-wins that throws when it meets the change {@code changeId}: a resolver bug mid-batch.
     *
     * @param changeId the change that makes it throw
     * @return the resolver
     */
    public static ConflictResolver failingOn(String changeId) {
        requireNonNull(changeId, "changeId is null");
        ConflictResolver lww = lastWriteWins();
        return (current, incoming) -> {
            if (incoming.changeId().equals(changeId)) {
                throw new IllegalStateException("resolver failure injected for " + changeId);
            }
            return lww.resolve(current, incoming);
        };
    }

    /**
     * Calls {@code hook} before resolving each change, then last-write-wins (e.g. to kill a server mid-batch).
     *
     * @param hook called with each change first
     * @return the resolver
     */
    public static ConflictResolver withHook(java.util.function.Consumer<Change> hook) {
        requireNonNull(hook, "hook is null");
        ConflictResolver lww = lastWriteWins();
        return (current, incoming) -> {
            hook.accept(incoming);
            return lww.resolve(current, incoming);
        };
    }
}

package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The unique-claim rules of a {@link BatchPlan}: which row holds each value of a table's UNIQUE constraints across
 * a scope, and what a batch changes about it. A change carries its table's constraints as column sets
 * ({@link Change#uniqueKeys()}); the row state a change leaves <em>claims</em> the value of each set (after the
 * resolver merged it). A set with a NULL column claims nothing, as in SQL; a set with a column the row image
 * lacks (an older device's image: a missing column is unchanged) keeps whatever the row claimed with it.
 *
 * <p>The rules: an applied change whose row would claim a value that another <em>live</em> row holds is
 * REJECTED {@code UNIQUE_CONFLICT} (the first committed claimant keeps the value, whichever device pushes
 * next); a row claiming its own value again is fine; an update that changes the value releases the old one
 * and claims the new one; a delete releases every claim. A recorded holder whose stored row is gone, deleted
 * or no longer holds the value (an older device changed it without naming the sets) is stale and is taken over.
 *
 * <p>A store keeps an index claim &rarr; holder's {@code ps_global_id}, answers {@link Holders} from it while a
 * batch is planned, and writes {@link #writes()} in the same atomic step as the rows. An optimistic store checks
 * that each written claim still has its {@link Write#expected() expected} holder. Not thread-safe; one per plan.
 */
public final class UniqueClaims {
    /**
     * One claimable value: table, the constraint's columns and the canonical form of their values.
     *
     * @param table the table
     * @param columns the constraint's columns, in index order
     * @param value the canonical value ({@link #canonical}); type-tagged, so 1 and '1' differ
     */
    public record Claim(String table, List<String> columns, String value) {
        /**
         * Validates the claim and copies its column list.
         *
         * @param table the table
         * @param columns the constraint's columns, in index order
         * @param value the canonical value
         */
        public Claim {
            requireNonNull(table, "table is null");
            columns = List.copyOf(requireNonNull(columns, "columns is null"));
            requireNonNull(value, "value is null");
        }

        /**
         * The claim as one string, for a store's index: table, columns and value separated by control characters
         * that identifiers cannot hold, so two different claims never share a key.
         *
         * @return the key
         */
        public String key() {
            return table + '\u001f' + String.join("\u001e", columns) + '\u001f' + value;
        }
    }

    /**
     * What a claim's index holds while a batch is planned.
     */
    @FunctionalInterface
    public interface Holders {
        /** No index: every value is free. */
        Holders NONE = claim -> null;

        /**
         * The row recorded as holding a claim.
         *
         * @param claim the claim
         * @return the holder's {@code ps_global_id}, or null when nobody holds it
         */
        @Nullable String holder(Claim claim);
    }

    /**
     * One claim whose holder the batch changes.
     *
     * @param claim the claim
     * @param expected the holder the plan read (null: none); an optimistic store retries when it changed
     * @param holder the new holder; null releases the claim
     */
    public record Write(Claim claim, @Nullable String expected, @Nullable String holder) {}

    /**
     * Why a change cannot have its row state.
     *
     * @param claim the value in the way
     * @param holder the live row holding it
     */
    record Conflict(Claim claim, String holder) {
        String reason() {
            return "table " + claim.table() + ": the value of UNIQUE (" + String.join(", ", claim.columns())
                    + ") is already held by row " + holder + "; change the value and retry";
        }
    }

    private final Holders holders;
    private final Map<Claim, @Nullable String> read = new LinkedHashMap<>();
    private final Map<Claim, @Nullable String> current = new LinkedHashMap<>();

    UniqueClaims(Holders holders) {
        this.holders = requireNonNull(holders, "holders is null");
    }

    /**
     * The claims of one row state.
     *
     * @param table the row's table
     * @param keys the constraints' column sets
     * @param state the row state; null or a tombstone claims nothing
     * @return the claims, one per set without a NULL, in set order
     */
    public static Set<Claim> of(String table, List<List<String>> keys, @Nullable RowState state) {
        if (state == null || state.deleted() || keys.isEmpty()) {
            return Set.of();
        }
        return of(table, keys, state.row());
    }

    /**
     * The claims of one row image.
     *
     * @param table the row's table
     * @param keys the constraints' column sets
     * @param row the image (wire form); a missing column counts as NULL
     * @return the claims, one per set without a NULL, in set order
     */
    public static Set<Claim> of(String table, List<List<String>> keys, Map<String, ?> row) {
        Set<Claim> claims = new LinkedHashSet<>();
        for (List<String> columns : keys) {
            Claim claim = claimOf(table, columns, row);
            if (claim != null) {
                claims.add(claim);
            }
        }
        return claims;
    }

    /**
     * The claims a batch may touch, for a store that fetches holders before planning: those of every change's
     * image and of every stored row the batch changes. The plan may still ask about others (a merged image).
     *
     * @param changes the batch
     * @param stored the stored state of the batch's rows (null when absent)
     * @return the claims
     */
    public static Set<Claim> candidates(List<Change> changes, Function<RowKey, @Nullable RowState> stored) {
        Set<Claim> claims = new LinkedHashSet<>();
        for (Change change : changes) {
            if (!change.uniqueKeys().isEmpty()) {
                claims.addAll(of(change.table(), change.uniqueKeys(), change.row()));
                claims.addAll(of(change.table(), change.uniqueKeys(), stored.apply(RowKey.of(change))));
            }
        }
        return claims;
    }

    /**
     * The canonical form of a constraint's values: each value tagged with its type and length, so the form is
     * equal exactly when SQLite's UNIQUE would call the values equal (BINARY collation; an integral REAL counts as
     * the INTEGER, as SQLite compares them).
     *
     * @param values the values, in index order
     * @return the form, or null when a value is NULL (claims nothing)
     */
    public static @Nullable String canonical(List<@Nullable Object> values) {
        StringBuilder out = new StringBuilder();
        for (Object value : values) {
            String token;
            char type;
            if (value == null) {
                return null;
            }
            else if (value instanceof Long number) {
                type = 'i';
                token = Long.toString(number);
            }
            else if (value instanceof Double number) {
                double d = number;
                if (d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63) {
                    type = 'i';
                    token = Long.toString((long) d);
                }
                else {
                    type = 'r';
                    token = Double.toString(d);
                }
            }
            else if (value instanceof byte[] bytes) {
                type = 'b';
                token = Base64.getEncoder().encodeToString(bytes);
            }
            else {
                type = 't';
                token = value.toString();
            }
            out.append(type).append(token.length()).append(':').append(token);
        }
        return out.toString();
    }

    /**
     * Checks one applied change; when it fits, records what it claims and releases.
     *
     * @param change the change
     * @param before the row's state before it (null when absent)
     * @param after the state the resolver decided
     * @param rows the current state of any row of the scope, this batch's earlier decisions included
     * @return the conflict, or null when the change was recorded
     */
    @Nullable Conflict claim(Change change, @Nullable RowState before, RowState after, Function<RowKey, @Nullable RowState> rows) {
        List<List<String>> keys = change.uniqueKeys();
        if (keys.isEmpty()) {
            return null;
        }
        Map<Claim, Boolean> wanted = new LinkedHashMap<>();
        List<Claim> released = new ArrayList<>();
        for (List<String> columns : keys) {
            boolean live = !after.deleted();
            if (live && !after.row().keySet().containsAll(columns)) {
                continue; // a column the image lacks is unchanged: so is what the row claims with it
            }
            Claim next = live ? claimOf(change.table(), columns, after.row()) : null;
            Claim previous = before == null || before.deleted() ? null : claimOf(change.table(), columns, before.row());
            if (next != null) {
                wanted.put(next, Boolean.TRUE);
            }
            if (previous != null && !previous.equals(next)) {
                released.add(previous);
            }
        }
        for (Claim claim : wanted.keySet()) {
            String holder = holder(claim);
            if (holder != null && !holder.equals(change.globalId()) && holds(rows.apply(new RowKey(claim.table(), holder)), claim)) {
                return new Conflict(claim, holder);
            }
        }
        for (Claim claim : released) {
            if (!wanted.containsKey(claim) && change.globalId().equals(holder(claim))) {
                current.put(claim, null);
            }
        }
        for (Claim claim : wanted.keySet()) {
            current.put(claim, change.globalId());
        }
        return null;
    }

    /** The claim of one set, or null when a value is NULL or missing. */
    private static @Nullable Claim claimOf(String table, List<String> columns, Map<String, ?> row) {
        List<@Nullable Object> values = new ArrayList<>(columns.size());
        for (String column : columns) {
            values.add(row.get(column));
        }
        String value = canonical(values);
        return value == null ? null : new Claim(table, columns, value);
    }

    /**
     * Whether a recorded holder still holds a claim: its row is live and has the value. A row whose image lacks
     * one of the columns (written by an older device) is taken to still hold it.
     */
    private static boolean holds(@Nullable RowState state, Claim claim) {
        if (state == null || state.deleted()) {
            return false;
        }
        if (!state.row().keySet().containsAll(claim.columns())) {
            return true;
        }
        return claim.equals(claimOf(claim.table(), claim.columns(), state.row()));
    }

    private @Nullable String holder(Claim claim) {
        if (current.containsKey(claim)) {
            return current.get(claim);
        }
        if (!read.containsKey(claim)) {
            read.put(claim, holders.holder(claim));
        }
        return read.get(claim);
    }

    /**
     * The claims whose holder the batch changes, in the order first read.
     *
     * @return the writes; empty when the batch changes no claim
     */
    public List<Write> writes() {
        List<Write> writes = new ArrayList<>();
        for (Map.Entry<Claim, @Nullable String> entry : current.entrySet()) {
            String expected = read.get(entry.getKey());
            if (!java.util.Objects.equals(expected, entry.getValue())) {
                writes.add(new Write(entry.getKey(), expected, entry.getValue()));
            }
        }
        return writes;
    }
}

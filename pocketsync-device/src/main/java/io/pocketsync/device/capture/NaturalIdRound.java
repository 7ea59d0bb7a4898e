package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The ids of one sealing round's new rows that natural keys name ({@link NaturalIds}), and every new row's id for the
 * references of rows sealed after it.
 *
 * <p>A derived id is given unless another row holds it: one given earlier in the round, or one in the table. The
 * table is asked once per round and table ({@link #prepare}): the round's new rows are read before any is emitted,
 * their ids derived, and all of them looked up in one query through the {@code ps_global_id} index (SQLite sorts them
 * into an ephemeral index first, so the table's index is walked in order).
 * Asking per row (a {@code count(*)} each, the digest made anew, the image parsed whole) cost about 60 µs a row on a
 * table whose ids are scattered over the index by their hash. What the table holds does not change while a round
 * emits (new ids are written at its end, see {@link ChangeEmitter}), so the answers hold for the whole round; an id
 * not asked ahead (a row found by a sweep, a key whose reference resolved otherwise than foreseen) is asked alone.
 *
 * <p>For a table whose natural key holds references, the ids are derived again when each row is emitted, with the
 * parent ids given by then: the ones derived ahead only fill the round's query.
 *
 * <p>Not thread-safe; one per round.
 */
final class NaturalIdRound {
    private static final String NONE = "";

    private final StatementCache statements;
    private final NaturalIds ids;
    private final KeyTranslation keys;
    /** Per table, the ids given to new rows this round (natural or not) by rowid. */
    private final Map<String, Map<Long, String>> assigned = new HashMap<>();
    /** Parent ids read from the tables this round (constant while it emits), by table and rowid; NONE for none. */
    private final Map<String, Map<Long, String>> storedParents = new HashMap<>();
    /** Per table without references in its key, the id each prepared row's key names, or NONE. */
    private final Map<String, Map<Long, String>> ahead = new HashMap<>();
    /** Per table, the ids asked of the table ahead, and those of them it holds. */
    private final Map<String, Set<String>> asked = new HashMap<>();
    private final Map<String, Set<String>> taken = new HashMap<>();
    /** The natural ids given this round (a digest of the table makes them unique across tables). */
    private final Set<String> given = new HashSet<>();
    /** False when the tables hold no ids at all (a first install's bulk, see BulkInstall): nothing to ask them. */
    private final boolean askTables;

    NaturalIdRound(StatementCache statements, NaturalIds ids, KeyTranslation keys) {
        this(statements, ids, keys, true);
    }

    /**
     * @param askTables whether a derived id may be held by a row of the table already; false only when the table's
     *        rows have no ids yet (its id index may then be missing, and a lookup would scan the table)
     */
    NaturalIdRound(StatementCache statements, NaturalIds ids, KeyTranslation keys, boolean askTables) {
        this.statements = requireNonNull(statements, "statements is null");
        this.ids = requireNonNull(ids, "ids is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.askTables = askTables;
    }

    /**
     * Derives the ids of a table's new rows and asks the table which it holds. Call before the round emits any row of
     * the table, parents' tables first (their ids stand in for references to their new rows).
     *
     * @param images the local images of the table's rows without an id, by rowid
     */
    void prepare(TableSchema schema, Map<Long, String> images) throws SQLException {
        if (schema.identityKey().isEmpty() || images.isEmpty()) {
            return;
        }
        boolean references = NaturalIds.keyReferences(schema, keys);
        Map<Long, String> derived = new HashMap<>();
        Set<String> candidates = new HashSet<>();
        for (Map.Entry<Long, String> row : images.entrySet()) {
            Object[] key = NaturalIds.localKey(schema, row.getValue());
            String id = key == null ? null : ids.derive(schema, key, keys, this::foreseenParentId);
            derived.put(row.getKey(), id == null ? NONE : id);
            if (id != null) {
                candidates.add(id);
            }
        }
        if (!references) {
            ahead.put(schema.name(), derived);
        }
        asked.put(schema.name(), candidates);
        taken.put(schema.name(), askTables ? held(schema.name(), candidates) : Set.of());
    }

    /**
     * The id the natural key of new row {@code rowid} names, when no other row holds it; null when the row gets an
     * ordinary id. Each id is given once: call once per new row, in emitting order.
     */
    @Nullable String naturalId(TableSchema schema, long rowid, String image) throws SQLException {
        if (schema.identityKey().isEmpty()) {
            return null;
        }
        Map<Long, String> derived = ahead.get(schema.name());
        String id = derived == null ? null : derived.get(rowid);
        if (id == null) {
            Object[] key = NaturalIds.localKey(schema, image);
            id = key == null ? null : ids.derive(schema, key, keys, this::parentId);
        }
        if (id == null || id.equals(NONE) || !given.add(id)) {
            return null;
        }
        Set<String> candidates = asked.get(schema.name());
        boolean held = candidates != null && candidates.contains(id) ? taken.get(schema.name()).contains(id)
                : askTables && statements.queryLong("SELECT count(*) FROM " + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID
                        + " = ?", id) > 0;
        return held ? null : id; // held: another row holds the id its key once named (its key was changed since)
    }

    /** Records the id new row {@code rowid} of {@code table} was given, for the references of later rows. */
    void assigned(String table, long rowid, String id) {
        assigned.computeIfAbsent(table, t -> new HashMap<>()).put(rowid, id);
    }

    /** A parent's id: given in this round, or stored. */
    private @Nullable String parentId(String table, long rowid) throws SQLException {
        Map<Long, String> given = assigned.get(table);
        String id = given == null ? null : given.get(rowid);
        return id != null ? id : storedParentId(table, rowid);
    }

    /** A parent's id as {@link #prepare} foresees it: derived ahead in this round, or stored. */
    private @Nullable String foreseenParentId(String table, long rowid) throws SQLException {
        Map<Long, String> derived = ahead.get(table);
        String id = derived == null ? null : derived.get(rowid);
        return id != null && !id.equals(NONE) ? id : storedParentId(table, rowid);
    }

    private @Nullable String storedParentId(String table, long rowid) throws SQLException {
        Map<Long, String> stored = storedParents.computeIfAbsent(table, t -> new HashMap<>());
        String id = stored.get(rowid);
        if (id == null) {
            id = statements.queryString("SELECT " + SystemTables.GLOBAL_ID + " FROM " + quoteSql(table) + " WHERE rowid = ?", rowid);
            stored.put(rowid, id == null ? NONE : id);
            return id;
        }
        return id.equals(NONE) ? null : id;
    }

    /** The query {@link #held} runs: the ids of {@code table}'s rows among a JSON array of ids. */
    static String heldSql(String table) {
        return "SELECT " + SystemTables.GLOBAL_ID + " FROM " + quoteSql(table) + " WHERE " + SystemTables.GLOBAL_ID
                + " IN (SELECT value FROM json_each(?))";
    }

    /** Which of {@code candidates} rows of {@code table} hold: one query, the ids passed as a JSON array. */
    private Set<String> held(String table, Set<String> candidates) throws SQLException {
        Set<String> held = new LinkedHashSet<>();
        if (candidates.isEmpty()) {
            return held;
        }
        StringBuilder array = new StringBuilder(candidates.size() * 36).append('[');
        for (String id : candidates) {
            array.append(array.length() > 1 ? ",\"" : "\"").append(id).append('"'); // 'n' and hex digits: nothing to escape
        }
        PreparedStatement query = statements.get(heldSql(table));
        query.setString(1, array.append(']').toString());
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                held.add(rs.getString(1));
            }
        }
        return held;
    }
}

package io.pocketsync.server.engine;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Verify;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * VERIFY → CHECKSUMS (docs/protocol.md 4.2): the scope's checksums at the level asked (fine when the device names
 * none), one table's checksums, the row hashes of some buckets of a table, or the current state of some rows. Bounded by the question: a device asks for at most
 * {@link #MAX_ROWS} rows at a time. Runs on the session's executor.
 */
final class ChecksumResponder {
    /** The most row states one VERIFY may ask for. */
    static final int MAX_ROWS = 1000;

    private ChecksumResponder() {}

    static void answer(ServerServices services, Session session, Verify verify) {
        Scope scope = session.scope();
        if (!RowHash.ALGORITHM.equals(verify.algorithm())) {
            // An older device sums another row hash: comparing would find every row different. UNKNOWN_MESSAGE_TYPE is
            // what such a device understands as "this server does not answer VERIFY": it stops asking this session.
            session.sendError(ErrorCode.UNKNOWN_MESSAGE_TYPE, "VERIFY of '" + verify.algorithm() + "' row hashes is not"
                    + " answered: this server sums '" + RowHash.ALGORITHM + "' row hashes (update the device to compare)", null);
            return;
        }
        try {
            if (verify.table() != null && !session.tables().includes(verify.table())) {
                session.sendError(ErrorCode.TABLE_NOT_SUBSCRIBED, "table '" + verify.table()
                        + "' is not among the tables this session subscribed to", null);
                return;
            }
            session.send(answerOf(services, scope, verify, session.tables()));
        }
        catch (PocketSyncException e) {
            session.sendError(e.code(), e.getMessage(), null);
        }
    }

    private static Checksums answerOf(ServerServices services, Scope scope, Verify verify, TableSubscription subscribed) {
        String table = verify.table();
        if (table == null || verify.asksTableChecksum()) {
            ScopeChecksums checksums = table == null
                    ? services.timed("checksums", () -> services.store().checksums(scope,
                            verify.level() == null ? ChecksumLevel.FINE : verify.level()))
                    : services.timed("fineChecksums", () -> services.store().fineChecksums(scope, table)).at(verify.level());
            List<TableChecksum> tables = subscribed.filter(checksums.tables());
            services.listener().checksumsServed(scope, "tables", tables.size());
            return new Checksums(ProtocolVersion.CURRENT, verify.requestId(), checksums.sequence(), tables, List.of(),
                    List.of(), List.of(), List.of());
        }
        long head = services.store().info(scope).head();
        if (!verify.globalIds().isEmpty()) {
            if (verify.globalIds().size() > MAX_ROWS) {
                throw new PocketSyncException(ErrorCode.INVALID_FIELD, "a VERIFY asks for at most " + MAX_ROWS + " rows");
            }
            List<Change> rows = new ArrayList<>();
            List<Long> sequences = new ArrayList<>();
            for (String gid : new LinkedHashSet<>(verify.globalIds())) {
                Optional<RowState> state = services.store().row(scope, table, gid);
                if (state.isPresent()) {
                    rows.add(asChange(state.get()));
                    sequences.add(state.get().lastSequence());
                }
            }
            services.listener().checksumsServed(scope, "rows", rows.size());
            return new Checksums(ProtocolVersion.CURRENT, verify.requestId(), head, List.of(), List.of(), List.of(), rows, sequences);
        }
        List<RowState> live = services.timed("rowsInBuckets",
                () -> services.store().rowsInBuckets(scope, table, new LinkedHashSet<>(verify.buckets())));
        List<String> gids = new ArrayList<>(live.size());
        List<Long> hashes = new ArrayList<>(live.size());
        for (RowState row : live) {
            gids.add(row.globalId());
            hashes.add(RowHash.of(row.table(), row.globalId(), row.row()));
        }
        services.listener().checksumsServed(scope, "hashes", gids.size());
        return new Checksums(ProtocolVersion.CURRENT, verify.requestId(), head, List.of(), gids, hashes, List.of(), List.of());
    }

    /** A row state as the change that brings a device to it: UPDATE (devices upsert) or DELETE. */
    private static Change asChange(RowState state) {
        return new Change(state.lastChangeId(), state.table(), state.globalId(), state.deleted() ? Op.DELETE : Op.UPDATE,
                state.deleted() ? Map.of() : state.row(), List.of(), state.version().hlc(), state.version().deviceId());
    }
}

package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.store.CommittedBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One committed batch as the {@code CHANGES mode=LIVE} each session of its scope gets. Most sessions get the same
 * message: every change of the batch, for a device that made none of them and subscribed to every table the batch
 * touches. That message is built once per protocol version and handed to every such session as the same object, so a
 * transport can encode it once for all of them (the WebSocket transport does): a broadcast to 10,000 devices costs one
 * encoding, not 10,000. A device that made changes of the batch, or subscribed to fewer tables, gets its own copy
 * without its own changes and without other tables' (the range still moves its cursor on).
 *
 * <p>Not thread-safe: made and used by one broadcast, on the thread that runs it.
 */
final class LiveBatch {
    private final CommittedBatch batch;
    private final Set<String> origins = new HashSet<>();
    private final Set<String> tables = new HashSet<>();
    /** The whole batch as LIVE, by protocol version; built on first use. */
    private final Message[] whole = new Message[ProtocolVersion.CURRENT + 1];

    LiveBatch(CommittedBatch batch) {
        this.batch = requireNonNull(batch, "batch is null");
        for (Change change : batch.changes()) {
            origins.add(change.deviceId());
            tables.add(change.table());
        }
    }

    /** The LIVE message for a session of {@code device}, subscribed to {@code subscribed}, speaking {@code version}. */
    Message messageFor(String device, TableSubscription subscribed, int version) {
        if (!origins.contains(device) && (subscribed.all() || includesAll(subscribed))) {
            Message shared = whole[version];
            if (shared == null) {
                shared = SessionVersion.as(filtered(null, TableSubscription.ALL), version);
                whole[version] = shared;
            }
            return shared;
        }
        return SessionVersion.as(filtered(device, subscribed), version);
    }

    private boolean includesAll(TableSubscription subscribed) {
        for (String table : tables) {
            if (!subscribed.includes(table)) {
                return false;
            }
        }
        return true;
    }

    /** The batch less {@code device}'s own changes (none left out when null) and other tables' changes. */
    private Changes filtered(String device, TableSubscription subscribed) {
        List<Change> changes = batch.changes();
        List<Change> kept = new ArrayList<>(changes.size());
        List<Long> sequences = new ArrayList<>(changes.size());
        boolean numbered = batch.toSequence() - batch.fromSequence() == changes.size();
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            if (!change.deviceId().equals(device) && subscribed.includes(change.table())) {
                kept.add(change);
                // numbered before filtering: the i-th change of the batch has sequence fromSequence + i + 1
                sequences.add(batch.fromSequence() + i + 1);
            }
        }
        return new Changes(ProtocolVersion.CURRENT, ChangesMode.LIVE, kept, batch.fromSequence(), batch.toSequence(), false, 0,
                numbered ? sequences : List.of());
    }
}

package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.server.engine.DeviceNotes.AuditNote;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's parked changes: it holds none of its own (a change it refuses is answered REJECTED to its device, which
 * parks it in its dead letters), so what an operator can act on is the REJECTED entries of the audit log. Dropping one
 * hides it from the list; retrying one stores its change again, under a new id and as the operator's device
 * {@link ServerAdmin#OPERATOR_DEVICE} (so that every device, its origin included, receives it if it applies), with its
 * original HLC: the resolver decides again, as if it had just arrived, so a row changed since is not overwritten by an
 * older write. Either is recorded in the scope's notes ({@link DeviceNotes}).
 *
 * <p>Thread-safe.
 */
final class RejectedChanges {
    private static final Logger LOG = LoggerFactory.getLogger(RejectedChanges.class);

    private final ServerServices services;
    private final IngestPipeline ingest;

    RejectedChanges(ServerServices services, IngestPipeline ingest) {
        this.services = requireNonNull(services, "services is null");
        this.ingest = requireNonNull(ingest, "ingest is null");
    }

    Optional<AuditEntry> entry(Scope scope, long id) {
        if (id < 1) {
            return Optional.empty();
        }
        List<AuditEntry> found = services.store().audit(scope, id - 1, 1);
        return found.isEmpty() || found.get(0).id() != id ? Optional.empty() : Optional.of(found.get(0));
    }

    Map<Long, AuditHandling> handled(Scope scope, Map<String, String> notes) {
        Map<Long, AuditHandling> handled = new HashMap<>();
        notes.forEach((name, value) -> {
            if (name.startsWith(DeviceNotes.AUDIT)) {
                AuditNote note = AuditNote.parse(value);
                Long id = id(name.substring(DeviceNotes.AUDIT.length()));
                if (note != null && id != null) {
                    handled.put(id, new AuditHandling(Instant.ofEpochMilli(note.at()),
                            note.action(), note.changeId(), note.outcome()));
                }
            }
        });
        return handled;
    }

    AuditHandling drop(Scope scope, long id) {
        rejected(scope, id);
        AuditNote note = new AuditNote(services.clock().millis(), "dropped", null, null);
        services.controls().notes().write(scope, Map.of(DeviceNotes.AUDIT + id, note.encode()));
        LOG.info("scope {}: an operator dropped rejected change of audit entry {}", scope, id);
        return new AuditHandling(Instant.ofEpochMilli(note.at()), note.action(), null, null);
    }

    AuditHandling retry(Scope scope, long id) {
        AuditEntry entry = rejected(scope, id);
        Change original = entry.change();
        Change again = new Change("operator-retry-" + UUID.randomUUID(), original.table(), original.globalId(), original.op(),
                original.row(), original.changedColumns(), original.hlc(), ServerAdmin.OPERATOR_DEVICE, original.uniqueKeys());
        ChangeOutcome outcome = ingest.resubmit(scope, again);
        String result = outcome.status() == ChangeStatus.REJECTED
                ? "REJECTED:" + (outcome.errorCode() == null ? ErrorCode.RESOLVER_REJECTED : outcome.errorCode())
                : outcome.status().name();
        AuditNote note = new AuditNote(services.clock().millis(), "retried", again.changeId(), result);
        services.controls().notes().write(scope, Map.of(DeviceNotes.AUDIT + id, note.encode()));
        LOG.info("scope {}: an operator retried rejected change {} of audit entry {} as {}: {}", scope, original.changeId(),
                id, again.changeId(), result);
        return new AuditHandling(Instant.ofEpochMilli(note.at()), note.action(), note.changeId(),
                note.outcome());
    }

    /** The REJECTED entry {@code id}, not handled yet; else a PocketSyncException with the code the admin API answers. */
    private AuditEntry rejected(Scope scope, long id) {
        AuditEntry entry = entry(scope, id).orElseThrow(() -> new PocketSyncException(ErrorCode.NOT_FOUND,
                "scope " + scope.name() + " has no audit entry " + id + " (it may have been pruned)"));
        if (entry.status() != ChangeStatus.REJECTED) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "audit entry " + id + " is " + entry.status()
                    + ": only rejected changes can be dropped or retried");
        }
        String done = services.controls().notes().read(scope, List.of(DeviceNotes.AUDIT + id)).get(DeviceNotes.AUDIT + id);
        AuditNote note = AuditNote.parse(done);
        if (note != null) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "audit entry " + id + " was already " + note.action()
                    + " at " + Instant.ofEpochMilli(note.at()));
        }
        return entry;
    }

    private static Long id(String text) {
        try {
            return Long.parseLong(text);
        }
        catch (NumberFormatException e) {
            return null;
        }
    }
}

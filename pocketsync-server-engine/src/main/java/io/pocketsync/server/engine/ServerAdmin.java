package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.server.engine.DeviceNotes.Revocation;
import io.pocketsync.server.engine.DeviceNotes.Sighting;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What operators see of a running {@link SyncServer} and what they may do to it; the admin API
 * ({@code pocketsync-admin}) is a thin HTTP face over this class. Devices come from this node's live sessions and from
 * the store's {@link io.pocketsync.api.store.ScopeNotes} (their sightings, revocations and resync requests, shared by
 * every node over the store). Revocations and resync requests are recorded there and applied to this node's sessions
 * at once; other nodes apply them within {@link DeviceSweep#INTERVAL}.
 *
 * <p>Thread-safe. Calls read the store: they throw {@link PocketSyncException} {@code STORE_UNAVAILABLE} when it fails.
 */
public final class ServerAdmin {
    /**
     * The device id an operator's retried change is stored under ({@link #retry}): not the origin device's, so that every
     * device receives it when it applies (a device is never sent its own changes back).
     */
    public static final String OPERATOR_DEVICE = "pocketsync-operator";

    private final ServerServices services;
    private final RejectedChanges rejected;

    ServerAdmin(ServerServices services, IngestPipeline ingest) {
        this.services = requireNonNull(services, "services is null");
        this.rejected = new RejectedChanges(services, ingest);
    }

    /**
     * This node's id.
     *
     * @return the id sessions and sightings carry
     */
    public String nodeId() {
        return services.options().nodeId();
    }

    /**
     * The scopes that hold data.
     *
     * @return the scopes, by name
     */
    public List<Scope> scopes() {
        return services.store().scopes().stream().sorted(Comparator.comparing(Scope::name)).toList();
    }

    /**
     * Head and retention horizon of a scope.
     *
     * @param scope the scope
     * @return its info; both 0 for a scope without data
     */
    public ScopeInfo info(Scope scope) {
        return services.store().info(requireNonNull(scope, "scope is null"));
    }

    /**
     * The live rows of each table of a scope, from the store's checksums (O(tables) in the built-in stores).
     *
     * @param scope the scope
     * @return table to live row count, by table name; tables without live rows are left out
     */
    public Map<String, Long> rowCounts(Scope scope) {
        Map<String, Long> counts = new TreeMap<>();
        // the coarse level: what every store answers without a scan
        for (TableChecksum table : services.store().checksums(requireNonNull(scope, "scope is null"), ChecksumLevel.COARSE)
                .tables()) {
            counts.put(table.table(), table.count());
        }
        return counts;
    }

    /**
     * The sessions past HELLO on this node, by scope.
     *
     * @return scope to the number of its live sessions here
     */
    public Map<Scope, Integer> liveSessions() {
        Map<Scope, Integer> counts = new HashMap<>();
        for (Session session : services.registry().joined()) {
            counts.merge(session.scope(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Every device of a scope this server knows: live here, seen by any node sharing the store, revoked, or asked to
     * resync. Connected ones first, then by id.
     *
     * @param scope the scope
     * @return the devices
     */
    public List<DeviceStatus> devices(Scope scope) {
        requireNonNull(scope, "scope is null");
        long head = services.store().info(scope).head();
        Map<String, String> notes = services.controls().notes().read(scope);
        Map<String, Sighting> sightings = services.sightings().read(scope, notes);
        Map<String, Session> live = new HashMap<>();
        for (Session session : services.registry().inScope(scope)) {
            live.put(session.deviceId(), session);
        }
        TreeSet<String> ids = new TreeSet<>(live.keySet());
        ids.addAll(sightings.keySet());
        notes.keySet().forEach(name -> {
            if (name.startsWith(DeviceNotes.REVOKED) || name.startsWith(DeviceNotes.RESYNC)) {
                ids.add(name.substring(name.indexOf('.') + 1));
            }
        });
        List<DeviceStatus> devices = new ArrayList<>();
        for (String id : ids) {
            devices.add(status(id, head, live.get(id), sightings.get(id), notes));
        }
        devices.sort(Comparator.comparing((DeviceStatus device) -> !device.connected()).thenComparing(DeviceStatus::deviceId));
        return devices;
    }

    /**
     * One device of a scope, when this server knows it: as in {@link #devices}, or any device the store holds changes of.
     *
     * @param scope the scope
     * @param deviceId the device id
     * @return its status; empty when the server never heard of it
     */
    public Optional<DeviceStatus> device(Scope scope, String deviceId) {
        requireNonNull(deviceId, "deviceId is null");
        Optional<DeviceStatus> listed = devices(scope).stream().filter(device -> device.deviceId().equals(deviceId)).findFirst();
        if (listed.isPresent() || services.store().deviceMark(scope, deviceId) == 0) {
            return listed;
        }
        long head = services.store().info(scope).head();
        return Optional.of(new DeviceStatus(deviceId, false, null, null, null, null, null, null, 0, head, -1, -1, null, null,
                false));
    }

    private DeviceStatus status(String id, long head, @Nullable Session session, @Nullable Sighting sighting,
            Map<String, String> notes) {
        Revocation revocation = Revocation.parse(notes.get(DeviceNotes.REVOKED + id));
        Instant revokedAt = revocation == null ? null : Instant.ofEpochMilli(revocation.at());
        String reason = revocation == null ? null : revocation.reason();
        boolean resync = notes.containsKey(DeviceNotes.RESYNC + id);
        if (session != null) {
            SessionActivity activity = session.activity();
            return new DeviceStatus(id, true, nodeId(), session.id(), session.connection().transport(),
                    session.connection().remoteAddress(), Instant.ofEpochMilli(activity.openedAt()),
                    Instant.ofEpochMilli(activity.lastMessageAt()), activity.cursor(), lag(head, activity.cursor()),
                    activity.pushesWaiting(), activity.changesReceived(), revokedAt, reason, resync);
        }
        if (sighting == null) {
            return new DeviceStatus(id, false, null, null, null, null, null, null, 0, head, -1, -1, revokedAt, reason, resync);
        }
        // another node's fresh "online" sighting; this node's own is stale (its session is gone)
        boolean elsewhere = sighting.online() && !sighting.node().equals(nodeId())
                && services.clock().millis() - sighting.lastSeen() < DeviceSightings.STALE_MILLIS;
        return new DeviceStatus(id, elsewhere, sighting.node(), null, sighting.transport(), sighting.address(),
                Instant.ofEpochMilli(sighting.since()), Instant.ofEpochMilli(sighting.lastSeen()), sighting.cursor(),
                lag(head, sighting.cursor()), -1, -1, revokedAt, reason, resync);
    }

    private static long lag(long head, long cursor) {
        return Math.max(0, head - cursor);
    }

    /**
     * The nodes seen in the device sightings of the scopes that hold data (each node writes its sessions' sightings),
     * with this node always included.
     *
     * @return node id to the latest sighting it wrote (now for this node), by node id
     */
    public Map<String, Instant> nodes() {
        Map<String, Instant> nodes = new TreeMap<>();
        for (Scope scope : services.store().scopes()) {
            for (Sighting sighting : services.sightings().read(scope, services.controls().notes().read(scope)).values()) {
                nodes.merge(sighting.node(), Instant.ofEpochMilli(sighting.lastSeen()), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        nodes.put(nodeId(), services.clock().instant());
        return nodes;
    }

    /**
     * Revokes a device: ends its sessions on this node now (ERROR {@code DEVICE_REVOKED}), on other nodes within
     * {@link DeviceSweep#INTERVAL}, and refuses its HELLO on every node until {@link #allow}. Survives restarts.
     *
     * @param scope the scope
     * @param deviceId the device
     * @param reason the operator's reason, kept with the revocation (one line, at most 500 characters); may be null
     * @return the sessions closed on this node
     */
    public int revoke(Scope scope, String deviceId, @Nullable String reason) {
        services.controls().revoke(scope, deviceId, reason);
        return services.controls().enforce(scope, sessionsOf(scope, deviceId));
    }

    /**
     * Lets a revoked device in again.
     *
     * @param scope the scope
     * @param deviceId the device
     * @return whether it was revoked
     */
    public boolean allow(Scope scope, String deviceId) {
        return services.controls().allow(scope, deviceId);
    }

    /**
     * Makes a device pull the scope's full state again: a live session on this node is sent ERROR
     * {@code RESYNC_REQUIRED} and its next PULL is answered with a snapshot from 0 (a live session on another node
     * within {@link DeviceSweep#INTERVAL}); a device not connected gets {@code resync} in its next WELCOME and a
     * snapshot. The request holds until a snapshot was sent in full.
     *
     * @param scope the scope
     * @param deviceId the device
     * @return the live sessions on this node that were told
     */
    public int resync(Scope scope, String deviceId) {
        long at = services.controls().askResync(scope, deviceId);
        int told = 0;
        for (Session session : sessionsOf(scope, deviceId)) {
            if (DeviceControls.tellResync(session, at)) {
                told++;
            }
        }
        return told;
    }

    private List<Session> sessionsOf(Scope scope, String deviceId) {
        return services.registry().ofDevice(scope, deviceId);
    }

    /**
     * Superseded and rejected changes of a scope with id greater than {@code afterId}, oldest first.
     *
     * @param scope the scope
     * @param afterId the last entry id already seen; 0 to start from the oldest
     * @param limit the most entries returned; positive
     * @return the entries
     */
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        return services.store().audit(requireNonNull(scope, "scope is null"), afterId, limit);
    }

    /**
     * One audit entry.
     *
     * @param scope the scope
     * @param id the entry id
     * @return the entry; empty when there is none (or it was pruned)
     */
    public Optional<AuditEntry> auditEntry(Scope scope, long id) {
        return rejected.entry(requireNonNull(scope, "scope is null"), id);
    }

    /**
     * What operators did with the scope's rejected changes.
     *
     * @param scope the scope
     * @return audit entry id to what was done
     */
    public Map<Long, AuditHandling> handled(Scope scope) {
        return rejected.handled(scope, services.controls().notes().read(requireNonNull(scope, "scope is null")));
    }

    /**
     * Hides a rejected change from the list of those waiting for an operator; the audit log keeps it.
     *
     * @param scope the scope
     * @param auditId the REJECTED entry's id
     * @return what was recorded
     * @throws PocketSyncException {@code NOT_FOUND} when there is no such entry, {@code INVALID_FIELD} when it is not
     *         REJECTED or was handled already
     */
    public AuditHandling drop(Scope scope, long auditId) {
        return rejected.drop(requireNonNull(scope, "scope is null"), auditId);
    }

    /**
     * Stores a rejected change again, under a new id and as {@link #OPERATOR_DEVICE}, with its original HLC: the checks
     * and the table's resolver decide again. Applied, it reaches every device like any change.
     *
     * @param scope the scope
     * @param auditId the REJECTED entry's id
     * @return what was recorded, with the store's outcome
     * @throws PocketSyncException {@code NOT_FOUND} when there is no such entry, {@code INVALID_FIELD} when it is not
     *         REJECTED or was handled already, {@code STORE_UNAVAILABLE} when nothing was stored
     */
    public AuditHandling retry(Scope scope, long auditId) {
        return rejected.retry(requireNonNull(scope, "scope is null"), auditId);
    }

    /**
     * The stored state of one row, tombstones included.
     *
     * @param scope the scope
     * @param table the table
     * @param globalId the row's {@code ps_global_id}
     * @return its state; empty when the store has none
     */
    public Optional<RowState> row(Scope scope, String table, String globalId) {
        return services.store().row(requireNonNull(scope, "scope is null"), table, globalId);
    }

    /**
     * The latest state of the rows changed most recently, newest first.
     *
     * @param scope the scope
     * @param limit the most rows; 1 to 1000
     * @return the rows (tombstones included), by descending last sequence
     */
    public List<RowState> recentRows(Scope scope, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "limit must be 1 to 1000: " + limit);
        }
        long head = services.store().info(scope).head();
        CatchUpPage page = services.store().page(scope, Math.max(0, head - limit), limit, true);
        List<RowState> rows = new ArrayList<>(page.rows());
        rows.sort(Comparator.comparingLong(RowState::lastSequence).reversed());
        return rows;
    }
}

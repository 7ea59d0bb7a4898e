package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import java.util.List;
import java.util.function.Supplier;

/**
 * Hands the status events of one scope's board to the device's board (a device of several scopes,
 * {@link DeviceLoops}): errors, refusals and disconnects say which scope they concern ({@code "scope team-42: ..."}),
 * and every change of a scope's snapshot publishes the device's combined one. Runs on the engine thread (the scope
 * boards call their listeners directly); the device's board calls the app's listeners on the listener executor.
 */
final class ScopeStatusRelay extends SyncStatusListener {
    private final String scope;
    private final StatusBoard device;
    private final Supplier<List<SyncStatus>> snapshots;

    /**
     * @param snapshots every scope's current snapshot
     */
    ScopeStatusRelay(String scope, StatusBoard device, Supplier<List<SyncStatus>> snapshots) {
        this.scope = requireNonNull(scope, "scope is null");
        this.device = requireNonNull(device, "device is null");
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
    }

    private String named(String message) {
        return "scope " + scope + ": " + message;
    }

    @Override
    public void connected() {
        device.relay(l -> l.scopeConnected(scope));
        device.relay(SyncStatusListener::connected);
    }

    @Override
    public void disconnected(ErrorCode code, String reason) {
        device.relay(l -> l.disconnected(code, named(reason)));
    }

    @Override
    public void connectFailed(ErrorCode code, String message) {
        device.relay(l -> l.connectFailed(code, named(message)));
    }

    @Override
    public void pushing(int changes, long pending) {
        device.relay(l -> l.pushing(changes, pending));
    }

    @Override
    public void catchingUp(CatchUpProgress progress) {
        device.relay(l -> l.catchingUp(progress));
    }

    @Override
    public void caughtUp(long cursor) {
        device.relay(l -> l.caughtUp(cursor));
    }

    @Override
    public void error(ErrorCode code, String message) {
        device.relay(l -> l.error(code, named(message)));
    }

    @Override
    public void statusChanged(SyncStatus status) {
        device.combined(DeviceLoops.combined(snapshots.get()));
    }

    @Override
    public void rowsRepaired(String table, int rows) {
        device.relay(l -> l.rowsRepaired(table, rows));
    }
}

package io.pocketsync.it.proof;

import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.time.Duration;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A device in its own JVM for kill -9 tests: {@code DeviceProcessMain <server-uri> <scope> <db> <pull-limit>}
 * runs a {@link PocketSyncDevice} on the SQLite file {@code db} (table {@link SimDevice#TABLE}, which must exist)
 * over WebSocket, catching up {@code pull-limit} rows per page, prints {@code READY} and runs until killed.
 */
public final class DeviceProcessMain {
    static final String READY = "READY";

    private DeviceProcessMain() {}

    /**
     * Runs a device on {@code db} in a child JVM until {@code until} holds (polled every 5 ms), then kills it with
     * SIGKILL, wherever it is.
     */
    static void killWhen(java.util.concurrent.Callable<Boolean> until, Duration atMost, Path log, URI server, String scope, Path db,
            int pullLimit) throws Exception {
        ChildJvm child = ChildJvm.start(DeviceProcessMain.class, READY, log, server.toString(), scope, db.toString(),
                String.valueOf(pullLimit));
        try {
            org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(5)).until(until);
        }
        finally {
            child.kill();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        URI server = URI.create(args[0]);
        String scope = args[1];
        Path db = Path.of(args[2]);
        int pullLimit = Integer.parseInt(args[3]);
        PocketSyncDevice device = PocketSyncDevice.builder().database(db).tables(SimDevice.TABLE).scope(scope).server(server)
                .transport(ClientTransports.websocket("child")).options(SimDevice.OPTIONS.withPullLimit(pullLimit)).build();
        device.start();
        System.out.println(READY);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

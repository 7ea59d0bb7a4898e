package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.capture.DatabaseBusyException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineThreadTest {
    @Test
    void aTaskThatRunsOutOfMemoryIsReportedNotSwallowedAndTheEngineGoesOn() {
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        EngineThread engine = new EngineThread(Executors.newSingleThreadScheduledExecutor(), failures::add);
        try {
            engine.run(() -> {
                throw new OutOfMemoryError("Java heap space");
            });
            engine.run(() -> {
                throw new OutOfMemoryError("Java heap space");
            });
            AtomicBoolean later = new AtomicBoolean();
            engine.run(() -> later.set(true));

            await().untilTrue(later);
            // reported once: the second, within ten seconds of the first, is not said again
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0)).isInstanceOf(PocketSyncException.class)
                    .hasMessageContaining("OutOfMemoryError").hasMessageContaining("-Xmx");
            assertThat(((PocketSyncException) failures.get(0)).code()).isEqualTo(ErrorCode.INTERNAL);
        }
        finally {
            engine.shutdown();
        }
    }

    @Test
    void aClassThatCannotBeLoadedIsReportedWithWhatToDoAndTheEngineGoesOn() {
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        EngineThread engine = new EngineThread(Executors.newSingleThreadScheduledExecutor(), failures::add);
        try {
            // what a task meets when the sidecar's jar is rebuilt under the running process
            engine.run(() -> {
                throw new NoClassDefFoundError("com/fasterxml/jackson/databind/util/ArrayIterator");
            });
            AtomicBoolean later = new AtomicBoolean();
            engine.run(() -> later.set(true));

            await().untilTrue(later);
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0)).isInstanceOf(PocketSyncException.class)
                    .hasMessageContaining("NoClassDefFoundError").hasMessageContaining("restart it");
            assertThat(((PocketSyncException) failures.get(0)).code()).isEqualTo(ErrorCode.INTERNAL);
        }
        finally {
            engine.shutdown();
        }
    }

    @Test
    void aTaskStoppedByABusyDatabaseGoesToTheBusyHandlerNotToTheFailures() {
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        EngineThread engine = new EngineThread(Executors.newSingleThreadScheduledExecutor(), failures::add);
        AtomicInteger retries = new AtomicInteger();
        engine.onBusy(retries::incrementAndGet);
        try {
            engine.run(() -> {
                throw new DatabaseBusyException("cannot start a write transaction",
                        new SQLException("[SQLITE_BUSY] The database file is locked (database is locked)", null, 5));
            });
            AtomicBoolean later = new AtomicBoolean();
            engine.run(() -> later.set(true));

            await().untilTrue(later);
            assertThat(retries).hasValue(1);
            assertThat(failures).isEmpty();
        }
        finally {
            engine.shutdown();
        }
    }
}

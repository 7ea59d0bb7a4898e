package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.device.CatchUpProgress;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pocketsync demo}: a self-contained tour on the embedded default (SQLite store, WebSocket on a
 * free port, temp directory), narrated on stdout: live sync, offline edits on both sides, reconnect
 * with catch-up progress, a conflict and why it was decided so, and the final state of both devices.
 * Ends by itself: exit code 0 when every step converged, 1 when a step did not finish in time.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Starts a server and two devices in a temp directory and narrates live sync, offline",
                "edits, catch-up, a conflict and the final state. Ends by itself."})
public final class DemoCommand implements Callable<Integer> {
    private static final String SCOPE = "demo";
    private static final String TOKEN = "demo-token";
    private static final int BULK_ROWS = 120;
    /** Each step normally takes milliseconds; this only bounds a broken setup. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final Supplier<ShutdownSignal> signals;

    @Spec
    private CommandSpec spec;

    /**
     * A command that stops when the signal it gets fires.
     *
     * @param signals supplies the shutdown signal for one run, asked for when the command starts; not null
     */
    public DemoCommand(Supplier<ShutdownSignal> signals) {
        this.signals = requireNonNull(signals, "signals is null");
    }

    @Override
    public Integer call() throws Exception {
        ShutdownSignal signal = signals.get();
        Path dir = Files.createTempDirectory("pocketsync-demo");
        try {
            new Tour(new DemoNarrator(spec.commandLine().getOut()), dir, signal).run();
            return 0;
        }
        finally {
            deleteRecursively(dir);
            signal.markStopped();
        }
    }

    /** One run of the story; owns the server, the devices and the temp files. */
    private static final class Tour {
        private final DemoNarrator narrator;
        private final Path dir;
        private final ShutdownSignal signal;
        private final BlockingQueue<Object> laptopEvents = new LinkedBlockingQueue<>();
        private final BlockingQueue<Object> phoneEvents = new LinkedBlockingQueue<>();

        Tour(DemoNarrator narrator, Path dir, ShutdownSignal signal) {
            this.narrator = narrator;
            this.dir = dir;
            this.signal = signal;
        }

        void run() throws Exception {
            Path laptopDb = dir.resolve("laptop.db");
            Path phoneDb = dir.resolve("phone.db");
            narrator.chapter("A server and two devices");
            ServerSettings settings = ServerSettings.of(Map.of(
                    ServerSettings.PORT, "0",
                    ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                    ServerSettings.TOKENS, SCOPE + ":" + TOKEN,
                    // Small catch-up pages, so that the reconnect below shows a progress bar with several steps.
                    "server.page-rows", "20"));
            try (ServerRuntime server = ServerRuntime.start(settings)) {
                narrator.say("server: SQLite store " + dir.resolve("server.db") + ", WebSocket " + server.webSocketUri());
                DemoApp.createApp(laptopDb);
                DemoApp.createApp(phoneDb);
                narrator.say("devices: laptop.db and phone.db, each with an ordinary table:");
                narrator.say("  CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)");

                PocketSyncDevice laptop = device(laptopDb, server, new QueueingListener(laptopEvents));
                PocketSyncDevice phone = device(phoneDb, server, new QueueingListener(phoneEvents));
                try {
                    laptop.start();
                    phone.start();
                    await("both devices connect", () -> connected(laptopEvents) && connected(phoneEvents));
                    narrator.say("both devices connected as scope '" + SCOPE + "' (token authentication is on)");

                    narrator.chapter("Live sync");
                    long before = System.nanoTime();
                    DemoApp.execute(laptopDb, "INSERT INTO todo (id, title) VALUES ('milk', 'Buy milk')");
                    narrator.say("laptop app: INSERT 'Buy milk' (plain SQL on its own connection: triggers capture it)");
                    await("the phone receives 'Buy milk'", () -> "Buy milk".equals(DemoApp.title(phoneDb, "milk")));
                    narrator.say("phone has 'Buy milk' after " + Duration.ofNanos(System.nanoTime() - before).toMillis()
                            + " ms: laptop commit -> push -> server ACK -> live broadcast -> phone applied");

                    narrator.chapter("The phone goes offline; both keep editing");
                    phone.close();
                    narrator.say("phone: sync stopped (flight mode). The app keeps writing; triggers keep capturing.");
                    DemoApp.execute(phoneDb, "UPDATE todo SET title = 'Buy oat milk' WHERE id = 'milk'");
                    Instant phoneEdit = Instant.now();
                    DemoApp.execute(phoneDb, "INSERT INTO todo (id, title) VALUES ('plants', 'Water the plants')");
                    narrator.say("phone app (offline) at " + TIME.format(phoneEdit) + ": 'Buy milk' -> 'Buy oat milk', adds 'Water the plants'");
                    awaitClockTick(phoneEdit);
                    DemoApp.execute(laptopDb, "UPDATE todo SET title = 'Buy almond milk' WHERE id = 'milk'");
                    Instant laptopEdit = Instant.now();
                    DemoApp.bulkInsert(laptopDb, BULK_ROWS);
                    narrator.say("laptop app (online) at " + TIME.format(laptopEdit) + ": 'Buy milk' -> 'Buy almond milk', adds "
                            + BULK_ROWS + " packing items");
                    await("the laptop's changes reach the server", () -> laptop.pendingCount() == 0);
                    narrator.say("laptop: all " + (BULK_ROWS + 1) + " changes acknowledged by the server;"
                            + " phone: its 2 offline changes wait in phone.db");

                    narrator.chapter("The phone reconnects and catches up");
                    phoneEvents.clear();
                    phone = device(phoneDb, server, new QueueingListener(phoneEvents));
                    phone.start();
                    followCatchUp();
                    PocketSyncDevice reconnected = phone;
                    await("both devices converge", () -> reconnected.pendingCount() == 0
                            && DemoApp.rows(laptopDb).equals(DemoApp.rows(phoneDb)));
                    narrator.say("phone pushed its offline edits first, then pulled what it missed, page by page");

                    narrator.chapter("The conflict: who won and why");
                    narrator.say("both edited 'milk' while apart: phone at " + TIME.format(phoneEdit) + " ('Buy oat milk'), laptop at "
                            + TIME.format(laptopEdit) + " ('Buy almond milk')");
                    String winner = DemoApp.title(phoneDb, "milk");
                    narrator.say("winner on both devices and the server: '" + winner + "'");
                    if (!"Buy almond milk".equals(winner)) {
                        throw new PocketSyncException(ErrorCode.INTERNAL, "expected the later write ('Buy almond milk') to win, got '"
                                + winner + "'");
                    }
                    narrator.say("why: last-write-wins orders writes by their hybrid logical clock (then device id), taken");
                    narrator.say("when the write happened on the device, not when it reached the server. The laptop's");
                    narrator.say("edit is later, so the phone's older offline edit lost, although it arrived last;");
                    narrator.say("the phone was told SUPERSEDED with the winning row and applied it.");
                    for (AuditEntry entry : server.server().audit(Scope.of(SCOPE), 0, 10)) {
                        narrator.say("server audit log: " + entry.status() + " change to '" + entry.change().table() + "' row "
                                + entry.change().globalId() + " written at " + TIME.format(Instant.ofEpochMilli(entry.change().hlc().physicalMillis()))
                                + " (" + entry.change().row().get("title") + "), winner change " + entry.winnerChangeId());
                    }

                    narrator.chapter("Final state, side by side");
                    narrator.sideBySide("laptop.db", DemoApp.summary(laptopDb), "phone.db", DemoApp.summary(phoneDb));
                    boolean identical = DemoApp.rows(laptopDb).equals(DemoApp.rows(phoneDb));
                    narrator.say("");
                    narrator.say(identical ? "The two databases are identical (" + DemoApp.rows(laptopDb).size() + " rows each)."
                            : "The two databases DIFFER.");
                    if (!identical) {
                        throw new PocketSyncException(ErrorCode.INTERNAL, "the demo devices did not converge");
                    }
                }
                finally {
                    phone.close();
                    laptop.close();
                }
            }
            narrator.chapter("Done");
            narrator.say("server and devices stopped; temp directory removed.");
        }

        private PocketSyncDevice device(Path db, ServerRuntime server, SyncStatusListener listener) {
            return PocketSyncDevice.builder()
                    .database(db)
                    .tables("todo")
                    .server(server.webSocketUri())
                    .scope(SCOPE)
                    .token(TOKEN)
                    .transport("websocket")
                    .statusListener(listener)
                    .build();
        }

        /** Prints the phone's catch-up progress as it happens (events are queued by the listener thread). */
        private void followCatchUp() throws InterruptedException {
            narrator.resetProgress();
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                checkNotStopped();
                Object event = phoneEvents.poll(100, TimeUnit.MILLISECONDS);
                if (event instanceof CatchUpProgress progress) {
                    narrator.progress("rows caught up, " + progress.batchesDone() + " page(s)", progress.rowsDone(),
                            Math.max(progress.rowsDone(), progress.estimatedTotalRows()));
                }
                else if (event instanceof CaughtUp caughtUp) {
                    narrator.say("phone is up to date at server sequence " + caughtUp.cursor());
                    return;
                }
            }
            throw new PocketSyncException(ErrorCode.TIMEOUT, "the phone did not catch up within " + STEP_TIMEOUT.toSeconds() + " s");
        }

        private boolean connected(BlockingQueue<Object> events) {
            return events.stream().anyMatch(e -> e == Connected.INSTANCE);
        }

        private void await(String what, BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (!condition.getAsBoolean()) {
                checkNotStopped();
                if (System.nanoTime() > deadline) {
                    throw new PocketSyncException(ErrorCode.TIMEOUT, "demo step did not finish within "
                            + STEP_TIMEOUT.toSeconds() + " s: " + what);
                }
                Thread.sleep(10);
            }
        }

        private void checkNotStopped() {
            if (signal.isStopRequested()) {
                throw new PocketSyncException(ErrorCode.SHUTTING_DOWN, "demo interrupted");
            }
        }

        /** Waits until the wall clock has moved on, so the two conflicting writes have distinct times. */
        private static void awaitClockTick(Instant after) throws InterruptedException {
            while (!Instant.now().isAfter(after.plusMillis(5))) {
                Thread.sleep(1);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        catch (IOException | UncheckedIOException e) {
            // A temp directory left behind is harmless; the demo's result stands.
        }
    }

    private enum Connected { INSTANCE }

    private record CaughtUp(long cursor) {}

    /** Hands the phone's status events to the demo thread, which narrates them in order. */
    private static final class QueueingListener extends SyncStatusListener {
        private final BlockingQueue<Object> events;

        QueueingListener(BlockingQueue<Object> events) {
            this.events = events;
        }

        @Override
        public void connected() {
            events.add(Connected.INSTANCE);
        }

        @Override
        public void catchingUp(CatchUpProgress progress) {
            events.add(progress);
        }

        @Override
        public void caughtUp(long cursor) {
            events.add(new CaughtUp(cursor));
        }
    }

}

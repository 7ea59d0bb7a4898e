package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.capture.DeadLetters;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pocketsync dead-letters list|retry|drop --db FILE}: the remote changes a device parked because it could not
 * apply them, and its own rows the server refused ({@code UNIQUE_CONFLICT}). Works on the database file whether or
 * not a device sidecar runs on it.
 *
 * <p>Exit codes: 0 done; 3 a retry left changes parked (each is printed with its new reason); 2 bad usage (no such
 * file); 1 anything else (no such entry, PocketSync not installed), with one line naming the error code.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists, retries or drops the remote changes a device parked (__pocketsync_dead_letter).",
        subcommands = {DeadLettersCommand.List.class, DeadLettersCommand.Retry.class, DeadLettersCommand.Drop.class})
public final class DeadLettersCommand implements Callable<Integer> {
    /** Exit code of a retry that left changes parked. */
    static final int STILL_PARKED = 3;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /** The device database, shared by the subcommands. */
    static final class Db {
        @Option(names = "--db", required = true, paramLabel = "FILE", description = "The device's SQLite database")
        Path file;

        DeadLetters open() {
            if (!Files.isRegularFile(file)) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "no database file " + file);
            }
            return DeadLetters.of(DeviceCommand.dataSource(file));
        }
    }

    /** Which entries: one id, or all. */
    static final class Which {
        @Option(names = "--id", paramLabel = "N", description = "The entry (its number from 'list')")
        Long id;

        @Option(names = "--all", description = "Every entry")
        boolean all;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Prints each parked change: id, code, table, row id, op, time, reason, row image.")
    static final class List implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Db db;

        @Override
        public Integer call() {
            java.util.List<DeadLetters.Entry> entries = db.open().list();
            PrintWriter out = spec.commandLine().getOut();
            for (DeadLetters.Entry entry : entries) {
                out.printf("%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s%n", entry.id(), entry.code(), entry.table(), entry.globalId(),
                        entry.op(), entry.received(), entry.message(), image(entry.row()));
            }
            out.printf("%d parked change%s%n", entries.size(), entries.size() == 1 ? "" : "s");
            out.flush();
            return 0;
        }
    }

    /** A row image for one line of output: {@code column=value, ...}, text quoted, BLOBs in hex. */
    static String image(java.util.Map<String, ?> row) {
        StringBuilder out = new StringBuilder();
        for (java.util.Map.Entry<String, ?> column : row.entrySet()) {
            if (out.length() > 0) {
                out.append(", ");
            }
            Object value = column.getValue();
            out.append(column.getKey()).append('=');
            if (value instanceof String text) {
                out.append('\'').append(text.replace("'", "''").replace('\n', ' ').replace('\t', ' ')).append('\'');
            }
            else if (value instanceof byte[] bytes) {
                out.append("X'").append(java.util.HexFormat.of().formatHex(bytes)).append('\'');
            }
            else {
                out.append(value == null ? "NULL" : value);
            }
        }
        return out.toString();
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Applies parked changes again (after fixing their cause); what fails again stays, with its new reason."
                    + " A row the server refused (UNIQUE_CONFLICT) goes back into its table as a local write and is pushed"
                    + " again: give it a free value with --set.")
    static final class Retry implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Db db;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        @Option(names = "--set", paramLabel = "COLUMN=VALUE", description = "Replaces a value of the entry's row before the"
                + " retry (text; the column's type affinity converts it); repeatable; only with --id")
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();

        @Override
        public Integer call() {
            DeadLetters letters = db.open();
            if (which.all && !values.isEmpty()) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--set applies to one entry: use it with --id");
            }
            java.util.List<DeadLetters.Retry> results = which.all ? letters.retryAll()
                    : java.util.List.of(letters.retry(which.id, new java.util.LinkedHashMap<>(values)));
            PrintWriter out = spec.commandLine().getOut();
            int parked = 0;
            for (DeadLetters.Retry result : results) {
                if (result.applied()) {
                    out.printf("%d\tapplied%n", result.id());
                }
                else {
                    parked++;
                    out.printf("%d\tstill parked\t%s\t%s%n", result.id(), result.code(), result.message());
                }
            }
            out.printf("%d applied, %d still parked%n", results.size() - parked, parked);
            out.flush();
            return parked == 0 ? 0 : STILL_PARKED;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true, description = "Forgets parked changes for good.")
    static final class Drop implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Db db;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        @Override
        public Integer call() {
            DeadLetters letters = db.open();
            int dropped;
            if (which.all) {
                dropped = letters.dropAll();
            }
            else if (letters.drop(which.id)) {
                dropped = 1;
            }
            else {
                throw new PocketSyncException(ErrorCode.INVALID_FIELD, "no dead letter " + which.id + " (list them to see their ids)");
            }
            spec.commandLine().getOut().printf("%d dropped%n", dropped);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}

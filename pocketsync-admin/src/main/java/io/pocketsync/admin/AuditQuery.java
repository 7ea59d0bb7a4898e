package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.server.engine.ServerAdmin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Reads a scope's audit log for the admin API: oldest first from an id ({@code after}), or newest first from the top
 * or below an id ({@code before}), keeping the entries a filter takes. The store reads the log oldest first in pages,
 * so newest first reads windows downwards from the highest id, found by a galloping search (a few one-entry reads).
 * One call reads at most {@link #MAX_SCANNED} entries; {@code next} then says where to continue.
 */
final class AuditQuery {
    static final int MAX_SCANNED = 5000;
    private static final int WINDOW = 500;

    /** Entries found, and where to continue ({@code after} or {@code before} the same way), or null at the end. */
    record Page(List<AuditEntry> entries, @Nullable Long next) {}

    /** Keeps entries by status, table, row, device and time; null fields keep all. */
    record Filter(@Nullable String status, @Nullable String table, @Nullable String row, @Nullable String device,
            @Nullable Instant since, @Nullable Instant until) implements Predicate<AuditEntry> {
        @Override
        public boolean test(AuditEntry entry) {
            return (status == null || entry.status().name().equals(status))
                    && (table == null || entry.change().table().equals(table))
                    && (row == null || entry.change().globalId().equals(row))
                    && (device == null || entry.change().deviceId().equals(device))
                    && (since == null || !entry.at().isBefore(since))
                    && (until == null || entry.at().isBefore(until));
        }
    }

    private final ServerAdmin admin;

    AuditQuery(ServerAdmin admin) {
        this.admin = requireNonNull(admin, "admin is null");
    }

    Page oldestFirst(Scope scope, Predicate<AuditEntry> filter, long after, int limit) {
        List<AuditEntry> found = new ArrayList<>();
        long position = after;
        int scanned = 0;
        while (true) {
            List<AuditEntry> window = admin.audit(scope, position, WINDOW);
            for (AuditEntry entry : window) {
                scanned++;
                position = entry.id();
                if (filter.test(entry)) {
                    found.add(entry);
                    if (found.size() == limit) {
                        return new Page(found, position);
                    }
                }
            }
            if (window.size() < WINDOW) {
                return new Page(found, null);
            }
            if (scanned >= MAX_SCANNED) {
                return new Page(found, position);
            }
        }
    }

    Page newestFirst(Scope scope, Predicate<AuditEntry> filter, long before, int limit) {
        // entries with an id at most top are left to read; ids are distinct, so (start, top] fits one window
        long top = before > 0 ? before - 1 : highestId(scope);
        List<AuditEntry> found = new ArrayList<>();
        int scanned = 0;
        while (top > 0) {
            long start = Math.max(0, top - WINDOW);
            List<AuditEntry> window = admin.audit(scope, start, WINDOW);
            for (int i = window.size() - 1; i >= 0; i--) {
                AuditEntry entry = window.get(i);
                if (entry.id() > top) {
                    continue;
                }
                scanned++;
                if (filter.test(entry)) {
                    found.add(entry);
                    if (found.size() == limit) {
                        return new Page(found, entry.id());
                    }
                }
            }
            top = start;
            if (scanned >= MAX_SCANNED && top > 0) {
                return new Page(found, top + 1);
            }
        }
        return new Page(found, null);
    }

    /** The highest audit id of the scope, 0 when it has none. */
    long highestId(Scope scope) {
        if (!exists(scope, 0)) {
            return 0;
        }
        // an entry above low exists, none above high
        long low = 0;
        long high = 1;
        while (exists(scope, high)) {
            low = high;
            high *= 2;
        }
        while (high - low > 1) {
            long middle = low + (high - low) / 2;
            if (exists(scope, middle)) {
                low = middle;
            }
            else {
                high = middle;
            }
        }
        return high;
    }

    /** Whether an entry with an id above {@code id} exists. */
    private boolean exists(Scope scope, long id) {
        return !admin.audit(scope, id, 1).isEmpty();
    }
}

package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A table catch-up in progress (docs/protocol.md 3.8, "Tracking another table later"): tables the device started
 * tracking after it had synced, whose current state it pulls in pages of their own ({@code PULL tables}) from their own
 * cursor, while its main cursor goes on as before. Persistent: it survives a restart, and resumes from {@code cursor}.
 *
 * @param tables the joining tables, sorted; not empty
 * @param cursor where the next page of the table catch-up starts
 */
public record TableCatchUp(List<String> tables, long cursor) {
    /**
     * Validates the record and copies the list.
     *
     * @param tables the joining tables, sorted; not empty
     * @param cursor where the next page of the table catch-up starts; not negative
     */
    public TableCatchUp {
        tables = List.copyOf(requireNonNull(tables, "tables is null"));
        if (tables.isEmpty() || cursor < 0) {
            throw new IllegalArgumentException("a table catch-up has tables and a cursor of 0 or more");
        }
    }
}

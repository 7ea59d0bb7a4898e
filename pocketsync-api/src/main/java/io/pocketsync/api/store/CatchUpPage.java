package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.RowState;
import java.util.List;

/**
 * One page of row states changed after a cursor, ordered by {@code lastSequence}.
 *
 * @param rows the rows, at most the requested limit, in {@code lastSequence} order
 * @param nextCursor the cursor after this page: the {@code lastSequence} of the last row read
 *        (including rows the store skipped, e.g. born-and-died); equals the input cursor when empty
 * @param hasMore whether rows with a later {@code lastSequence} exist
 */
public record CatchUpPage(List<RowState> rows, long nextCursor, boolean hasMore) {
    public CatchUpPage {
        rows = List.copyOf(requireNonNull(rows, "rows is null"));
    }
}

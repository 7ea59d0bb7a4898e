package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.RowState;
import java.util.List;

/**
 * One page of row states changed after a cursor, ordered by {@code lastSequence}.
 *
 * <p>Resuming: every row whose {@code lastSequence} is in {@code (afterSequence, nextCursor]} was either
 * returned or skipped (tombstones when {@code includeDeleted} is false), so reading again from
 * {@code nextCursor} misses nothing and repeats nothing. To bound the work of one call, a store may stop
 * after skipping a bounded number of tombstones: such a page can have <em>no rows</em>, {@code hasMore}
 * true and a {@code nextCursor} past the skipped tombstones. Callers therefore loop on {@code hasMore},
 * never on "the page was empty".
 *
 * @param rows the rows, at most the requested limit, in {@code lastSequence} order
 * @param nextCursor where to read on: at least the {@code lastSequence} of the last returned row, and past
 *        every row skipped before it stopped; equals the input cursor when nothing at all was read
 * @param hasMore true when rows (of any kind, tombstones included) may follow {@code nextCursor}: read again;
 *        false when nothing after {@code nextCursor} matched at the time of the read
 */
public record CatchUpPage(List<RowState> rows, long nextCursor, boolean hasMore) {
    /**
     * Copies the rows.
     *
     * @param rows the rows, at most the requested limit, in {@code lastSequence} order
     * @param nextCursor where to read on: at least the {@code lastSequence} of the last returned row, and past
     *        every row skipped before it stopped; equals the input cursor when nothing at all was read
     * @param hasMore true when rows (of any kind, tombstones included) may follow {@code nextCursor}: read again;
     *        false when nothing after {@code nextCursor} matched at the time of the read
     */
    public CatchUpPage {
        rows = List.copyOf(requireNonNull(rows, "rows is null"));
    }
}

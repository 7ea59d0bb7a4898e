package io.pocketsync.server.engine;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Push;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Bulk pages (PUSHes with {@code bulk} set, protocol.md 3.2a) that a session received one right after another while it
 * was busy: they are stored as one store batch ({@link IngestPipeline#pushAll}), so that the pages of a device's
 * window share one transaction and one commit. A SQLite store keys rows by ids that are digests, so a commit of 1,000
 * such rows writes about one page of its row index per row, and copies it back at each checkpoint; a commit of several
 * pages touches fewer pages per row and commits (and checkpoints) less often.
 *
 * <p>A group is open until its task starts ({@link #take}). A page joins the open group only when no other message of
 * the session came between (the session closes the group at any other message, so every message is still handled in
 * the order it came), while the group holds fewer than {@link #MAX_PAGES} pages, and when none of its change ids is in
 * the group already (a page sent again after a timeout while the first is still waiting is stored after it, and
 * answered DUPLICATE, as before). Thread-safe.
 */
final class BulkGroup {
    /** The most pages stored in one batch: the device keeps 16 in flight by default. */
    static final int MAX_PAGES = 16;

    private final List<Push> pushes = new ArrayList<>(MAX_PAGES);
    private final Set<String> changeIds = new HashSet<>();
    private boolean taken;

    BulkGroup(Push first) {
        add(first);
    }

    /** Adds {@code push} unless the group's task has started, the group is full, or it holds one of its changes. */
    synchronized boolean add(Push push) {
        if (taken || pushes.size() >= MAX_PAGES) {
            return false;
        }
        for (Change change : push.changes()) {
            if (changeIds.contains(change.changeId())) {
                return false;
            }
        }
        for (Change change : push.changes()) {
            changeIds.add(change.changeId());
        }
        pushes.add(push);
        return true;
    }

    /** The group's pages, in the order they came; closes the group (later pages start another). */
    synchronized List<Push> take() {
        taken = true;
        changeIds.clear();
        return List.copyOf(pushes);
    }
}

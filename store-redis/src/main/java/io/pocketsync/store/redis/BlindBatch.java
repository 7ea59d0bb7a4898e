package io.pocketsync.store.redis;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchPlan;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writing a batch without reading first. A batch whose rows are all first touched by an INSERT
 * ({@link BatchPlan#createsOnlyNewRows}) almost always finds none of them stored, and its change ids are new
 * unless it is a re-send. Such a batch is planned as if nothing were stored and goes to the write script at
 * once; the script checks exactly what the read would have told (every row's last sequence is 0, no id was
 * processed) and refuses the write otherwise, and the batch is then read and planned again. Correctness rests
 * on the script's checks, not on the guess.
 */
final class BlindBatch {
    /** Scopes whose last head this node remembers, at most. */
    static final int REMEMBERED_SCOPES = 10_000;

    private BlindBatch() {}

    /**
     * The head this node last saw per scope: the base a blind batch is planned against. When another node
     * moved the head meanwhile, the write script shifts the batch's sequences by the difference (correct, a
     * little slower). Bounded: the least recently used scopes are forgotten and start again from 0.
     * Thread-safe.
     */
    static final class Heads {
        private final Map<Scope, Long> heads = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Scope, Long> eldest) {
                return size() > REMEMBERED_SCOPES;
            }
        };

        synchronized long lastSeen(Scope scope) {
            return heads.getOrDefault(scope, 0L);
        }

        synchronized void saw(Scope scope, long head) {
            heads.merge(scope, head, Math::max);
        }
    }
}

package io.pocketsync.server.engine;

import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ProtocolVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact ACK of a bulk page (protocol.md 3.2a): a page of 1,000 rows that were all applied is answered with the
 * range of their sequences, not 1,000 results, so the device records one range instead of a sequence per row.
 * Results are kept for the changes that were not simply applied (superseded with a winner, rejected, duplicate, or
 * applied as a merged row), in push order. The store numbers a batch's applied changes consecutively in push order,
 * so the unnamed ones hold the range's sequences in page order. Stateless.
 */
final class BulkAnswer {
    private BulkAnswer() {}

    static Ack compact(String batchId, ChangeResult[] results, Hlc serverHlc, long serverTimeMillis) {
        List<ChangeResult> named = new ArrayList<>();
        long from = 0;
        long to = 0;
        int unnamed = 0;
        for (ChangeResult result : results) {
            boolean applied = result.status() == ChangeStatus.APPLIED;
            if (applied) {
                from = from == 0 ? result.sequence() : Math.min(from, result.sequence());
                to = Math.max(to, result.sequence());
            }
            if (applied && result.winner() == null) {
                unnamed++;
            }
            else {
                named.add(result);
            }
        }
        AppliedRange range = unnamed == 0 ? AppliedRange.NONE : new AppliedRange(from, to, unnamed);
        return new Ack(ProtocolVersion.CURRENT, batchId, named, serverHlc, serverTimeMillis, range);
    }
}

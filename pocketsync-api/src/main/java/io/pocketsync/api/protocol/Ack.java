package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Hlc;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Server → device: the answer to a {@link Push}, sent only after the store made the batch durable.
 * It names every change of the batch exactly once, in push order.
 *
 * @param protocolVersion protocol version
 * @param batchId the PUSH's batch id
 * @param results one result per pushed change
 * @param serverHlc the server clock after merging the batch's HLCs
 * @param serverTimeMillis the server's wall clock when it answered, in epoch milliseconds; 0 when not sent (an older
 *        server). A device whose change was refused {@code CLOCK_SKEW} measures its clock's offset from it again.
 * @param applied null for an ordinary ACK, which names every change. For the compact ACK of a bulk page
 *        ({@link Push#bulk()}): {@code results} name only the changes not simply applied (any status but
 *        {@code APPLIED}, or {@code APPLIED} with a winner), and every change they do not name was {@code APPLIED}
 *        with a sequence within this range, the sequences of the page's applied changes
 */
public record Ack(int protocolVersion, String batchId, List<ChangeResult> results, Hlc serverHlc, long serverTimeMillis,
        @Nullable AppliedRange applied) implements Message {
    /**
     * Validates the record and copies its lists.
     *
     * @param protocolVersion protocol version
     * @param batchId the PUSH's batch id
     * @param results one result per pushed change
     * @param serverHlc the server clock after merging the batch's HLCs
     * @param serverTimeMillis the server's wall clock in epoch milliseconds; 0 when not sent
     * @param applied the sequences of a compact ACK's unnamed changes; null for an ACK naming every change
     */
    public Ack {
        requireNonNull(batchId, "batchId is null");
        results = List.copyOf(requireNonNull(results, "results is null"));
        requireNonNull(serverHlc, "serverHlc is null");
        if (serverTimeMillis < 0) {
            throw new IllegalArgumentException("serverTimeMillis is negative");
        }
    }

    /**
     * An ACK naming every change.
     *
     * @param protocolVersion protocol version
     * @param batchId the PUSH's batch id
     * @param results one result per pushed change
     * @param serverHlc the server clock after merging the batch's HLCs
     * @param serverTimeMillis the server's wall clock in epoch milliseconds; 0 when not sent
     */
    public Ack(int protocolVersion, String batchId, List<ChangeResult> results, Hlc serverHlc, long serverTimeMillis) {
        this(protocolVersion, batchId, results, serverHlc, serverTimeMillis, null);
    }

    /**
     * An ACK without the server's wall clock.
     *
     * @param protocolVersion protocol version
     * @param batchId the PUSH's batch id
     * @param results one result per pushed change
     * @param serverHlc the server clock after merging the batch's HLCs
     */
    public Ack(int protocolVersion, String batchId, List<ChangeResult> results, Hlc serverHlc) {
        this(protocolVersion, batchId, results, serverHlc, 0);
    }

    @Override
    public MessageType type() {
        return MessageType.ACK;
    }
}

package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Hlc;
import java.util.List;

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
 */
public record Ack(int protocolVersion, String batchId, List<ChangeResult> results, Hlc serverHlc, long serverTimeMillis)
        implements Message {
    /**
     * Validates the record and copies its lists.
     *
     * @param protocolVersion protocol version
     * @param batchId the PUSH's batch id
     * @param results one result per pushed change
     * @param serverHlc the server clock after merging the batch's HLCs
     * @param serverTimeMillis the server's wall clock in epoch milliseconds; 0 when not sent
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

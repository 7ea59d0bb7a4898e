package io.pocketsync.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.ProtocolVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte budget of a connection's outbound queue, against a queue whose messages all weigh {@code size} bytes. */
class OutboundLimitTest {
    private final FakeQueue queue = new FakeQueue();

    @Test
    void dropsOnceTheByteBudgetIsSpentAndOwesACatchUpOnceHalfIsRead() {
        OutboundLimit limit = new OutboundLimit("c1", 1000, 1000, queue);
        queue.size = 300;
        assertThat(limit.send(ping(1))).isTrue();
        assertThat(limit.send(ping(2))).isTrue();
        assertThat(limit.send(ping(3))).isTrue();
        // 900 queued: a 300-byte message does not fit in the 100 left
        assertThat(limit.send(ping(4))).isFalse();
        assertThat(limit.catchUpOwed()).isTrue();
        // nothing goes while the catch-up is owed, not even a message that would fit
        queue.size = 10;
        assertThat(limit.send(ping(5))).isFalse();
        assertThat(queue.written).hasSize(3);

        queue.drain(300); // 600 left: more than half the budget
        assertThat(limit.flushCatchUp()).isFalse();
        queue.drain(200); // 400: the error goes, then sending resumes
        assertThat(limit.send(ping(6))).isTrue();
        assertThat(queue.written.get(3)).isInstanceOfSatisfying(ErrorMessage.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CATCH_UP_REQUIRED));
        assertThat(queue.written.get(4)).isEqualTo(ping(6));
        assertThat(limit.catchUpOwed()).isFalse();
    }

    @Test
    void anEmptyQueueTakesOneMessageLargerThanTheWholeBudget() {
        OutboundLimit limit = new OutboundLimit("c1", 1000, 1000, queue);
        queue.size = 5000;
        assertThat(limit.send(ping(1))).isTrue();
        assertThat(queue.bytes).isEqualTo(5000);
        queue.size = 1;
        assertThat(limit.send(ping(2))).isFalse();
    }

    @Test
    void theMessageCountCapsTooAndAFailedWriteIsADrop() {
        OutboundLimit limit = new OutboundLimit("c1", 1_000_000, 2, queue);
        queue.size = 1;
        assertThat(limit.send(ping(1))).isTrue();
        assertThat(limit.send(ping(2))).isTrue();
        assertThat(limit.send(ping(3))).isFalse();
        queue.drain(2);
        assertThat(limit.flushCatchUp()).isTrue();

        queue.failWrites = true;
        assertThat(limit.send(ping(4))).isFalse();
        assertThat(limit.catchUpOwed()).isTrue();
    }

    @Test
    void lastWordsGoWhateverTheBudgetAndNothingFollowsThem() {
        OutboundLimit limit = new OutboundLimit("c1", 100, 1000, queue);
        queue.size = 90;
        assertThat(limit.send(ping(1))).isTrue();
        ErrorMessage bye = new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.SHUTTING_DOWN, "bye", null);
        assertThat(limit.close(bye)).isTrue();
        assertThat(limit.close(bye)).isFalse();
        assertThat(limit.send(ping(2))).isFalse();
        assertThat(queue.written).containsExactly(ping(1), bye);
    }

    private static Ping ping(long nonce) {
        return new Ping(ProtocolVersion.CURRENT, nonce);
    }

    /** Every message weighs {@code size} bytes; {@link #drain} is the device reading. */
    private static final class FakeQueue implements OutboundLimit.Queue {
        final List<Message> written = new ArrayList<>();
        long size;
        long bytes;
        int count;
        boolean failWrites;

        void drain(long read) {
            bytes -= read;
            count = (int) Math.max(0, count - read / Math.max(1, size));
        }

        @Override
        public long queuedBytes() {
            return bytes;
        }

        @Override
        public int queuedMessages() {
            return count;
        }

        @Override
        public boolean write(Message message, long room) {
            if (failWrites || size > room) {
                return false;
            }
            written.add(message);
            bytes += size;
            count++;
            return true;
        }
    }
}

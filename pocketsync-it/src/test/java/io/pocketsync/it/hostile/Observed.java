package io.pocketsync.it.hostile;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import java.util.List;

/**
 * What a hostile peer got back: the decoded messages, how many answers did not decode, and whether the
 * server closed the connection (WebSocket close code; MQTT has no per-device close to observe).
 */
record Observed(List<Message> messages, int undecodable, int closeCode) {
    boolean closed() {
        return closeCode != 0;
    }

    List<ErrorCode> errorCodes() {
        return messages.stream().filter(ErrorMessage.class::isInstance).map(m -> ((ErrorMessage) m).code()).toList();
    }

    List<ErrorCode> rejectedCodes() {
        return messages.stream().filter(Ack.class::isInstance).flatMap(m -> ((Ack) m).results().stream())
                .filter(r -> r.status() == ChangeStatus.REJECTED).map(ChangeResult::errorCode).toList();
    }

    boolean acked() {
        return messages.stream().anyMatch(Ack.class::isInstance);
    }

    @Override
    public String toString() {
        return "errors=" + errorCodes() + ", rejected=" + rejectedCodes() + ", acked=" + acked() + ", closeCode=" + closeCode
                + ", undecodable=" + undecodable + ", messages=" + messages.stream().map(m -> m.type().name()).toList();
    }
}

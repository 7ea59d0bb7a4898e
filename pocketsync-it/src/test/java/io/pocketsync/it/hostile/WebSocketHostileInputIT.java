package io.pocketsync.it.hostile;

import static io.pocketsync.api.ErrorCode.AUTH_FAILED;
import static io.pocketsync.api.ErrorCode.MALFORMED_MESSAGE;
import static io.pocketsync.api.ErrorCode.MESSAGE_TOO_LARGE;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The hostile input table over raw WebSocket connections against a real SyncServer. */
class WebSocketHostileInputIT {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketHostileInputIT.class);
    @TempDir
    Path dir;

    @Test
    void everyHostileCaseIsRefusedAndTheGoodScopeKeepsSyncing() throws Exception {
        try (HostileFixture fixture = new HostileFixture(dir, false)) {
            HostileCases table = new HostileCases(fixture.tokens, fixture.evilScope, fixture.goodScope, fixture.goodGlobalId);
            table.addCommon();
            table.add("empty text frame", d -> List.of(Frame.text(new byte[0])), Expect.error(MALFORMED_MESSAGE));
            table.add("frame far over the parser limit", d -> List.of(Frame.binary(new byte[HostileCases.MAX_MESSAGE_BYTES * 10])),
                    Expect.errorOrClose(MESSAGE_TOO_LARGE));
            for (HostileCases.Wire wire : HostileCases.Wire.values()) {
                // a socket names no scope: a valid token of another scope is answered exactly like a wrong one
                table.add("token of another scope, answered like a wrong one" + wire.tag(), d -> List.of(wire.frame(
                        HostileCases.hello(1, d, fixture.goodScope, fixture.tokens.forScope(fixture.evilScope)))),
                        Expect.error(AUTH_FAILED));
            }
            List<HostileCase> cases = table.all();
            URI uri = fixture.node.websocketUri();
            for (HostileCase hostile : cases) {
                fixture.run(hostile, new RawWebSocketPeer(uri));
            }
            fixture.assertGoodScopeConverged();
            fixture.assertInjectionStoredVerbatimInItsOwnScope();
            LOG.info("WebSocket hostile cases tried: {}, answered as expected: {}", cases.size(), cases.size() - fixture.failures().size());
            System.out.println("[hostile] websocket: " + cases.size() + " cases, " + fixture.failures().size() + " unexpected answers");
            assertThat(fixture.failures()).as("cases answered otherwise than expected").isEmpty();
        }
    }
}

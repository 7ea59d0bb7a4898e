package io.pocketsync.it.hostile;

import static io.pocketsync.api.ErrorCode.AUTH_FAILED;
import static io.pocketsync.api.ErrorCode.SCOPE_FORBIDDEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.it.hostile.HostileCases.Wire;
import io.pocketsync.it.support.TestEnv;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hostile input table over raw Paho publishes against a real SyncServer's MQTT bridge, plus topic cases:
 * a topic of one scope carrying a HELLO of another, and topics whose segments are not valid ids. Topics with
 * {@code +} or {@code #} cannot be published at all (MQTT forbids wildcards in a publish topic; Paho refuses
 * them client-side), so those appear only inside HELLO payloads.
 */
class MqttHostileInputIT {
    private static final Logger LOG = LoggerFactory.getLogger(MqttHostileInputIT.class);
    @TempDir
    Path dir;

    @Test
    void everyHostileCaseIsRefusedAndTheGoodScopeKeepsSyncing() throws Exception {
        try (HostileFixture fixture = new HostileFixture(dir, true);
             RawMqttPeer.Broker broker = new RawMqttPeer.Broker(TestEnv.mqttUri(), fixture.topicRoot)) {
            HostileCases table = new HostileCases(fixture.tokens, fixture.evilScope, fixture.goodScope, fixture.goodGlobalId);
            table.addCommon();
            String root = fixture.topicRoot;
            for (Wire wire : Wire.values()) {
                table.add("topic of the good scope, HELLO of the attacker's scope" + wire.tag(), d -> List.of(
                        table.goodHello(wire, d).onTopic(root + "/" + fixture.goodScope + "/" + d + "/up")), Expect.error(SCOPE_FORBIDDEN));
                table.add("topic with an extra level (scope a/b)" + wire.tag(), d -> List.of(
                        table.goodHello(wire, d).onTopic(root + "/a/b/" + d + "/up"), table.sentinel(wire, d)),
                        Expect.ignoredThenSentinel());
                table.add("topic scope with invalid characters" + wire.tag(), d -> List.of(
                        table.goodHello(wire, d).onTopic(root + "/sc@pe!/" + d + "/up"), table.sentinel(wire, d)),
                        Expect.ignoredThenSentinel());
                table.add("topic with a space in the scope" + wire.tag(), d -> List.of(
                        table.goodHello(wire, d).onTopic(root + "/a b/" + d + "/up"), table.sentinel(wire, d)),
                        Expect.ignoredThenSentinel());
            }
            table.add("zero-length publish from an unknown device", d -> List.of(new Frame(new byte[0], true, null),
                    table.sentinel(Wire.CBOR, d)), Expect.ignoredThenSentinel());
            List<HostileCase> cases = new ArrayList<>(table.all());
            // without the broker ACL (README) nothing stops a peer from publishing on a good device's own up topic:
            // the server refuses the HELLO and drops that device's session, and the device must notice and recover
            String victim = fixture.writer.deviceId();
            for (Wire wire : Wire.values()) {
                cases.add(new HostileCase("HELLO with a wrong token on a good device's own topic" + wire.tag(), victim,
                        List.of(wire.frame(HostileCases.hello(1, victim, fixture.goodScope, "stolen-topic"))
                                .onTopic(root + "/" + fixture.goodScope + "/" + victim + "/up")),
                        Expect.error(AUTH_FAILED)));
            }
            for (HostileCase hostile : cases) {
                fixture.run(hostile, new RawMqttPeer(broker, fixture.evilScope, hostile.device()));
            }
            fixture.assertGoodScopeConverged();
            fixture.assertInjectionStoredVerbatimInItsOwnScope();
            LOG.info("MQTT hostile cases tried: {}, answered as expected: {}", cases.size(), cases.size() - fixture.failures().size());
            System.out.println("[hostile] mqtt: " + cases.size() + " cases, " + fixture.failures().size() + " unexpected answers");
            assertThat(fixture.failures()).as("cases answered otherwise than expected").isEmpty();
        }
    }
}

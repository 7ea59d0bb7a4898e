package io.pocketsync.it.hostile;

import java.util.List;

/**
 * One row of the hostile input table: what a raw peer (device id {@code device}, in the attacker's scope unless
 * a frame says otherwise) sends, and what the server must answer.
 */
record HostileCase(String name, String device, List<Frame> frames, Expect expect) {
    HostileCase {
        frames = List.copyOf(frames);
    }
}

package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoCommandIT {
    @Test
    void demoRunsToTheEndAndNarratesEachStep() {
        CliRun run = CliRun.run("demo");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains(
                "1. A server and two devices",
                "Live sync",
                "phone has 'Buy milk' after",
                "The phone goes offline",
                "The phone reconnects and catches up",
                "100% rows caught up",
                "winner on both devices and the server: 'Buy almond milk'",
                "SUPERSEDED",
                "Final state, side by side",
                "The two databases are identical");
    }
}

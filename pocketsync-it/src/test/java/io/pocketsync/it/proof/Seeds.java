package io.pocketsync.it.proof;

import java.util.ArrayList;
import java.util.List;

/**
 * Which seeds a randomized test runs. {@code -Dpocketsync.seed=N} replays exactly one seed;
 * {@code -Dpocketsync.seeds=N} runs seeds 1..N; {@code -Dpocketsync.soak=true} runs 200 (a long soak);
 * otherwise the bounded CI set.
 */
final class Seeds {
    private Seeds() {}

    static List<Long> choose(List<Long> ciSeeds) {
        String one = System.getProperty("pocketsync.seed");
        if (one != null && !one.isBlank()) {
            return List.of(Long.parseLong(one.trim()));
        }
        int count = Integer.getInteger("pocketsync.seeds", Boolean.getBoolean("pocketsync.soak") ? 200 : 0);
        if (count <= 0) {
            return ciSeeds;
        }
        List<Long> seeds = new ArrayList<>();
        for (long seed = 1; seed <= count; seed++) {
            seeds.add(seed);
        }
        return seeds;
    }

    /** The failure message every seeded test uses, so a red run says how to replay it. */
    static String replay(String test, long seed, String variant) {
        return test + " failed for seed " + seed + " (" + variant + "); replay with: mvn -B -pl pocketsync-it -am verify"
                + " -Dit.test=" + test + " -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dpocketsync.seed=" + seed
                + " -Dpocketsync.variant=" + variant;
    }
}

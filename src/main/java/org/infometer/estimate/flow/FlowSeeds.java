package org.infometer.estimate.flow;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Derives independent, reproducible random streams from the caller's stable key. Every consumer (parameter
 * initialisation of each layer, minibatch order, reservoir, held-out split) gets its own stream named by a
 * label, so adding a consumer never shifts the numbers another one sees.
 */
final class FlowSeeds {

    private FlowSeeds() {
    }

    static long derive(long key, String label) {
        long h = mix(key ^ 0x9E3779B97F4A7C15L);
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xFF) ^ 0xBF58476D1CE4E5B9L);
        }
        return h;
    }

    static SplittableRandom random(long key, String label) {
        return new SplittableRandom(derive(key, label));
    }

    /** A uniform number in [0, 1) that depends only on (key, index). */
    static double unit(long key, long index) {
        return (mix(key ^ mix(index + 0x632BE59BD9B4E019L)) >>> 11) * 0x1.0p-53;
    }

    /** SplitMix64 finaliser: a bijective 64-bit mixer with good avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package org.infometer.estimate;

import java.nio.charset.StandardCharsets;

/**
 * Hashes of stable keys (sample tokens, run ids) that do not depend on the JVM, the partitioning or the task
 * attempt: fold assignment and every seed in the job derive from these, which is what makes results
 * reproducible across partition counts and retries.
 */
public final class StableHash {

    private StableHash() {
    }

    /** 64-bit FNV-1a of the UTF-8 bytes, finished with a SplitMix64 mix so that nearby keys spread out. */
    public static long of(String key, long seed) {
        long h = 0xcbf29ce484222325L ^ mix(seed);
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** Combines several longs into one seed (order matters). */
    public static long combine(long... parts) {
        long h = 0x9e3779b97f4a7c15L;
        for (long p : parts) {
            h = mix(h ^ mix(p));
        }
        return h;
    }

    /** Cross-fitting fold of a sample: a stable function of its token, uniform over {@code [0, folds)}. */
    public static int fold(String sampleToken, int folds, long seed) {
        return (int) Long.remainderUnsigned(of(sampleToken, seed), folds);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

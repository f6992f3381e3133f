package org.infometer.correlate.stats;

import java.nio.charset.StandardCharsets;

/**
 * A tiny seeded generator (SplitMix64) plus stable string hashing.
 *
 * <p>Usage: {@code SplitMix64 rng = new SplitMix64(SplitMix64.seed(runSeed, "sample", token));} then
 * {@link #nextDouble()}, {@link #nextInt(int)}, {@link #nextGaussian()}.
 *
 * <p>Written out here rather than using {@link java.util.SplittableRandom} so that every stream is fixed by
 * this file alone: results stay reproducible across JDK versions and executors.
 */
public final class SplitMix64 {

    private long state;
    private double spareGaussian = Double.NaN;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** Mixes a base seed with stable 64-bit hashes of the given keys (never String.hashCode). */
    public static long seed(long base, String... keys) {
        long h = mix(base ^ 0x9E3779B97F4A7C15L);
        for (String k : keys) {
            h = mix(h ^ fnv1a64(k == null ? "\u0000null" : k));
        }
        return h;
    }

    /** FNV-1a over the UTF-8 bytes. */
    public static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), unbiased by rejection. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        // Rejection on 63-bit draws keeps every residue equally likely.
        long u = nextLong() >>> 1;
        long r = u % bound;
        while (u - r + (bound - 1) < 0L) {
            u = nextLong() >>> 1;
            r = u % bound;
        }
        return (int) r;
    }

    /** Standard normal by the polar method. */
    public double nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * f;
        return u * f;
    }

    public boolean nextBoolean(double probability) {
        return nextDouble() < probability;
    }
}

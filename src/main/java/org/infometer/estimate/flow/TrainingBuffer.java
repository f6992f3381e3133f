package org.infometer.estimate.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bounded, deterministic subsample of a streamed partition, split into train and held-out observations.
 *
 * <p>Token granularity keeps a uniform reservoir (Algorithm R) of at most {@code maxBufferTokens} tokens; map
 * granularity keeps a reservoir of whole samples holding at most that many tokens. The reservoir's generator
 * comes from the caller's key, so the same stream in the same order gives the same buffer. The held-out
 * slice is chosen per source sample (a hash of key and sample index), so tokens of one sample never sit on both
 * sides; only when that leaves a side empty (very few samples) does it fall back to a per-observation split.
 */
final class TrainingBuffer {

    /** Observations of one side of the split, row-major: {@code count} observations of {@code tokensPerObs} rows. */
    record Part(float[] x, float[] y, int count, long[] samples) {

        /** Observations of one side of the split, without their source-sample indices. */
        Part(float[] x, float[] y, int count) {
            this(x, y, count, new long[count]);
        }
    }

    private final FlowGranularity granularity;
    private final int cx;
    private final int cy;
    private final int maxTokens;
    private final SplittableRandom rng;

    private long samplesSeen;
    private long tokensSeen;
    private int mapTokens;

    // Token granularity: one slot per token.
    private float[] tx = new float[0];
    private float[] ty = new float[0];
    private long[] tSample = new long[0];
    private int tSize;

    // Map granularity: one slot per sample.
    private final List<float[]> mx = new ArrayList<>();
    private final List<float[]> my = new ArrayList<>();
    private final List<Long> mSample = new ArrayList<>();
    private int mCapacity;

    TrainingBuffer(FlowGranularity granularity, int channelsX, int channelsY, int maxTokens, long key) {
        this.granularity = granularity;
        this.cx = channelsX;
        this.cy = channelsY;
        this.maxTokens = maxTokens;
        this.rng = FlowSeeds.random(key, "reservoir");
    }

    void addAll(Iterator<PairSample> samples) {
        while (samples.hasNext()) {
            add(samples.next());
        }
    }

    void add(PairSample s) {
        if (s == null) {
            throw new IllegalArgumentException("Sample #" + samplesSeen + " is null");
        }
        s.check(cx, cy, samplesSeen);
        long index = samplesSeen++;
        tokensSeen += s.tokens();
        if (granularity == FlowGranularity.TOKEN) {
            for (int t = 0; t < s.tokens(); t++) {
                addToken(s, t, index);
            }
        } else {
            addMap(s, index);
        }
    }

    private void addToken(PairSample s, int t, long sampleIndex) {
        long seen = tokensSeen - s.tokens() + t + 1;
        int slot;
        if (tSize < maxTokens) {
            ensureTokenCapacity(tSize + 1);
            slot = tSize++;
        } else {
            long j = rng.nextLong(seen);
            if (j >= maxTokens) {
                return;
            }
            slot = (int) j;
        }
        System.arraycopy(s.x(), t * cx, tx, slot * cx, cx);
        System.arraycopy(s.y(), t * cy, ty, slot * cy, cy);
        tSample[slot] = sampleIndex;
    }

    private void ensureTokenCapacity(int needed) {
        if (needed <= tSample.length) {
            return;
        }
        int cap = (int) Math.min(maxTokens, Math.max(needed, Math.max(1024L, 2L * tSample.length)));
        tx = Arrays.copyOf(tx, Math.multiplyExact(cap, cx));
        ty = Arrays.copyOf(ty, Math.multiplyExact(cap, cy));
        tSample = Arrays.copyOf(tSample, cap);
    }

    private void addMap(PairSample s, long sampleIndex) {
        if (mapTokens == 0) {
            mapTokens = s.tokens();
            mCapacity = Math.max(1, maxTokens / mapTokens);
        } else if (s.tokens() != mapTokens) {
            throw new IllegalArgumentException("Map granularity needs one token count per partition: sample #"
                    + sampleIndex + " has " + s.tokens() + " tokens, the first sample had " + mapTokens);
        }
        if (mx.size() < mCapacity) {
            mx.add(s.x().clone());
            my.add(s.y().clone());
            mSample.add(sampleIndex);
            return;
        }
        long j = rng.nextLong(samplesSeen);
        if (j < mCapacity) {
            mx.set((int) j, s.x().clone());
            my.set((int) j, s.y().clone());
            mSample.set((int) j, sampleIndex);
        }
    }

    long samplesSeen() {
        return samplesSeen;
    }

    long tokensSeen() {
        return tokensSeen;
    }

    int mapTokens() {
        return granularity == FlowGranularity.MAP ? mapTokens : 0;
    }

    /** Observations buffered: tokens (token granularity) or samples (map granularity). */
    int observations() {
        return granularity == FlowGranularity.TOKEN ? tSize : mx.size();
    }

    long samplesBuffered() {
        if (granularity == FlowGranularity.MAP) {
            return mx.size();
        }
        return Arrays.stream(tSample, 0, tSize).distinct().count();
    }

    long tokensBuffered() {
        return granularity == FlowGranularity.TOKEN ? tSize : (long) mx.size() * mapTokens;
    }

    private long sampleOf(int obs) {
        return granularity == FlowGranularity.TOKEN ? tSample[obs] : mSample.get(obs);
    }

    /** Returns {train, heldOut}. */
    Part[] split(double heldOutFraction, long key) {
        int n = observations();
        if (n < 2) {
            throw new IllegalArgumentException("Flow fitting needs at least 2 observations after buffering, got " + n
                    + " (" + samplesSeen + " samples, " + tokensSeen + " tokens streamed)");
        }
        long splitKey = FlowSeeds.derive(key, "held-out");
        boolean[] held = new boolean[n];
        int heldCount = 0;
        for (int i = 0; i < n; i++) {
            held[i] = FlowSeeds.unit(splitKey, sampleOf(i)) < heldOutFraction;
            heldCount += held[i] ? 1 : 0;
        }
        if (heldCount == 0 || heldCount == n) {
            long obsKey = FlowSeeds.derive(key, "held-out-observation");
            heldCount = 0;
            for (int i = 0; i < n; i++) {
                held[i] = FlowSeeds.unit(obsKey, i) < heldOutFraction;
                heldCount += held[i] ? 1 : 0;
            }
            if (heldCount == 0) {
                held[n - 1] = true;
                heldCount = 1;
            } else if (heldCount == n) {
                held[0] = false;
                heldCount = n - 1;
            }
        }
        return new Part[] {collect(held, false, n - heldCount), collect(held, true, heldCount)};
    }

    private Part collect(boolean[] held, boolean want, int count) {
        int rows = granularity == FlowGranularity.TOKEN ? 1 : mapTokens;
        float[] x = new float[Math.multiplyExact(count, rows * cx)];
        float[] y = new float[Math.multiplyExact(count, rows * cy)];
        long[] samples = new long[count];
        int k = 0;
        for (int i = 0; i < held.length; i++) {
            if (held[i] != want) {
                continue;
            }
            if (granularity == FlowGranularity.TOKEN) {
                System.arraycopy(tx, i * cx, x, k * cx, cx);
                System.arraycopy(ty, i * cy, y, k * cy, cy);
            } else {
                System.arraycopy(mx.get(i), 0, x, k * rows * cx, rows * cx);
                System.arraycopy(my.get(i), 0, y, k * rows * cy, rows * cy);
            }
            samples[k] = sampleOf(i);
            k++;
        }
        return new Part(x, y, count, samples);
    }

    /** Concatenates x and y row by row: the (X, Y) variable, one row of Cx + Cy channels per token. */
    static float[] concatRows(float[] x, int cx, float[] y, int cy) {
        int rows = x.length / cx;
        float[] out = new float[rows * (cx + cy)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * cx, out, r * (cx + cy), cx);
            System.arraycopy(y, r * cy, out, r * (cx + cy) + cx, cy);
        }
        return out;
    }
}

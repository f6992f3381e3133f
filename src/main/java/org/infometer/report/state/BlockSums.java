package org.infometer.report.state;

import org.infometer.estimate.SceneBlockStats;

import java.io.Serializable;

/**
 * The sum of samples' {@link SceneBlockStats} in exact arithmetic, so a scene's or run's total (what the scene
 * refits fit on) is the same for any order of its samples. Blocks of different pair counts cannot be summed: the
 * total then fails, as summing them one by one does, but only when it is asked for.
 */
final class BlockSums implements Mergeable<BlockSums>, Serializable {

    private static final long serialVersionUID = 1L;

    private final int pairs;
    private long tokens;
    private boolean mixed;
    /** [0, 2r): the sums of w; [2r, 2r + 4r^2): the row-major sums of w w'. */
    private final FiniteSums sums;

    BlockSums(int pairs) {
        this.pairs = pairs;
        int m = 2 * pairs;
        sums = new FiniteSums(m + m * m);
    }

    void add(SceneBlockStats b) {
        if (b.pairs() != pairs) {
            mixed = true;
            return;
        }
        tokens += b.tokens();
        int m = 2 * pairs;
        for (int i = 0; i < m; i++) {
            sums.add(i, b.sum()[i]);
        }
        for (int i = 0; i < m * m; i++) {
            sums.add(m + i, b.cross()[i]);
        }
    }

    @Override
    public BlockSums merge(BlockSums o) {
        if (o.pairs != pairs) {
            mixed = true;
            return this;
        }
        mixed |= o.mixed;
        tokens += o.tokens;
        sums.merge(o.sums);
        return this;
    }

    BlockSums copy() {
        return new BlockSums(pairs).merge(this);
    }

    SceneBlockStats total() {
        if (mixed) {
            throw new IllegalArgumentException("Scene blocks of different pair counts in one run cannot be summed");
        }
        int m = 2 * pairs;
        double[] s = new double[m];
        double[] c = new double[m * m];
        for (int i = 0; i < m; i++) {
            s[i] = sums.get(i);
        }
        for (int i = 0; i < m * m; i++) {
            c[i] = sums.get(m + i);
        }
        return new SceneBlockStats(pairs, tokens, s, c);
    }
}

package org.infometer.report.state;

import org.infometer.estimate.SceneBlockStats;

import java.io.Serializable;

/** The first pass's state of a group: the sums of its values and, for scenes, of its samples' scene blocks. */
final class FirstState implements Mergeable<FirstState>, Serializable {

    private static final long serialVersionUID = 1L;

    private final ValueSums values;
    private BlockSums blocks;
    /** Samples without a scene block: their run has no scene refit. */
    private long blockless;

    FirstState(int width) {
        values = new ValueSums(width);
    }

    void add(double[] q, int tokens, boolean finite) {
        values.add(q, tokens, finite);
    }

    void addBlock(SceneBlockStats block) {
        if (block == null) {
            blockless++;
            return;
        }
        if (blocks == null) {
            blocks = new BlockSums(block.pairs());
        }
        blocks.add(block);
    }

    @Override
    public FirstState merge(FirstState o) {
        values.merge(o.values);
        blockless += o.blockless;
        if (o.blocks != null) {
            blocks = blocks == null ? o.blocks.copy() : blocks.merge(o.blocks);
        }
        return this;
    }

    ValueSums values() {
        return values;
    }

    /** The summed blocks, or null when no sample had one. */
    BlockSums blocks() {
        return blocks;
    }

    long blockless() {
        return blockless;
    }
}

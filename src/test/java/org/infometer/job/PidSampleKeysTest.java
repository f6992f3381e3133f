package org.infometer.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A sample's multiplicities survive their compact storage, also past what a byte holds. */
class PidSampleKeysTest {

    @Test
    void weightsKeepEveryMultiplicityAndMissingBlocksAreNull() {
        PidSampleKeys.Weights w = new PidSampleKeys.Weights(6, 3);
        w.set(0, 1);
        w.set(2, 127);
        w.set(4, 3);
        assertArrayEquals(new int[] {1, 0, 127}, w.block(0));
        w.set(5, 300);
        assertArrayEquals(new int[] {1, 0, 127}, w.block(0));
        assertArrayEquals(new int[] {0, 3, 300}, w.block(1));
        assertNull(w.block(2));
    }
}

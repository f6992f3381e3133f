package org.infometer.report.state;

import org.infometer.report.Reductions;
import org.infometer.report.SampleResult;

/** The per-sample quantities the states sum, by position. */
final class SampleValues {

    /** Positions in {@link #of}: {@link Reductions#QUANTITIES}. */
    static final int HX = Reductions.QUANTITIES.indexOf("hx");
    static final int HY = Reductions.QUANTITIES.indexOf("hy");
    static final int HXY = Reductions.QUANTITIES.indexOf("hxy");
    static final int MI = Reductions.QUANTITIES.indexOf("mi");
    static final int WIDTH = Reductions.QUANTITIES.size();

    /** Positions in {@link #overfit}. */
    static final int GAP = 0;
    static final int HELD_OUT = 1;
    static final int OVERFIT_WIDTH = 2;

    private SampleValues() {
    }

    /** The sample's {@link Reductions#QUANTITIES}, formed as {@link SampleResult#quantity} forms them. */
    static double[] of(SampleResult s) {
        double[] q = new double[WIDTH];
        for (int j = 0; j < WIDTH; j++) {
            q[j] = s.quantity(Reductions.QUANTITIES.get(j));
        }
        return q;
    }

    /** In-fold minus held-out MI, and held-out MI, of a sample scored in fold. */
    static double[] overfit(SampleResult s) {
        return new double[] {s.inFoldMiBits() - s.miBits(), s.miBits()};
    }
}

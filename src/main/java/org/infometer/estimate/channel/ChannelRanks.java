package org.infometer.estimate.channel;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Ranks of a run's channel pairs by cross-fitted MI (1 = most MI): over all pairs (the channel-exchange
 * candidates), among each x channel's partners in Y, and among each y channel's partners in X (rank 1 there is the
 * channel's strongest partner). Ties, and NaN pairs (constant channels, ranked last), are broken by channel
 * index, so ranks are a pure function of the estimates.
 */
public final class ChannelRanks implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final int cx;
    private final int[] overall;
    private final int[] xPartner;
    private final int[] yPartner;
    private final int[] order;

    private ChannelRanks(int cx, int[] overall, int[] xPartner, int[] yPartner, int[] order) {
        this.cx = cx;
        this.overall = overall;
        this.xPartner = xPartner;
        this.yPartner = yPartner;
        this.order = order;
    }

    public static ChannelRanks of(ChannelMi m) {
        int cx = m.channelsX();
        int cy = m.channelsY();
        int pairs = cx * cy;
        // Pair index q = j * cx + i; descending MI, NaN last, then by (x channel, y channel).
        Comparator<Integer> byMi = Comparator.comparingDouble((Integer q) -> key(m, q, cx))
                .thenComparingInt(q -> q % cx).thenComparingInt(q -> q / cx);
        Integer[] all = new Integer[pairs];
        for (int q = 0; q < pairs; q++) {
            all[q] = q;
        }
        Arrays.sort(all, byMi);
        int[] overall = new int[pairs];
        int[] order = new int[pairs];
        for (int r = 0; r < pairs; r++) {
            overall[all[r]] = r + 1;
            order[r] = all[r];
        }
        int[] xPartner = new int[pairs];
        int[] yPartner = new int[pairs];
        int[] seenX = new int[cx];
        int[] seenY = new int[cy];
        // Walking the global order visits each channel's partners in its own order.
        for (int q : order) {
            xPartner[q] = ++seenX[q % cx];
            yPartner[q] = ++seenY[q / cx];
        }
        return new ChannelRanks(cx, overall, xPartner, yPartner, order);
    }

    private static double key(ChannelMi m, int q, int cx) {
        double v = m.miBitsPerToken(q % cx, q / cx);
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : -v;
    }

    /** Rank among all pairs of the run (1 = most redundant pair). */
    public int overall(int i, int j) {
        return overall[j * cx + i];
    }

    /** Rank of y channel j among x channel i's partners (1 = i's strongest partner). */
    public int xPartner(int i, int j) {
        return xPartner[j * cx + i];
    }

    /** Rank of x channel i among y channel j's partners (1 = j's strongest partner). */
    public int yPartner(int i, int j) {
        return yPartner[j * cx + i];
    }

    /** The pair of overall rank {@code rank} (1-based) as {x channel, y channel}. */
    public int[] pairAt(int rank) {
        int q = order[rank - 1];
        return new int[] {q % cx, q / cx};
    }
}

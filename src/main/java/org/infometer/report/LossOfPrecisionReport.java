package org.infometer.report;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The console's loss-of-precision block: per run H(X|Y), H(Y|X) with SEs, the unit-free shares, scene range. */
public final class LossOfPrecisionReport {

    private LossOfPrecisionReport() {
    }

    public static void print(PrintStream out, List<Reductions.RunStats> runs, List<Reductions.SceneStats> scenes,
                             Map<String, int[]> channels, String x, String y) {
        out.println();
        out.printf("Loss of precision: H(X|Y), H(Y|X) bits/token ± SE (X = %s, Y = %s; in the features' units) and "
                + "the unit-free power share 2^(-2I/d) (1: the other modality tells nothing; 0: it determines):%n",
                x, y);
        for (Reductions.RunStats r : runs) {
            int[] c = channels.get(r.runId());
            if (c == null) {
                continue;
            }
            Estimate hxy = r.perToken().get("hx_given_y");
            Estimate hyx = r.perToken().get("hy_given_x");
            LossOfPrecision.Shares s = LossOfPrecision.shares(r.perToken().get("mi"), c[0], c[1]);
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Reductions.SceneStats sc : scenes) {
                if (sc.runId().equals(r.runId())) {
                    double v = LossOfPrecision.share(sc.miPerToken().value(), c[0]);
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            out.printf(Locale.ROOT, "  %-14s H(X|Y) %s  H(Y|X) %s   share X|Y %.4f ± %.4f  "
                            + "Y|X %.4f ± %.4f%s%n", r.runId(), withSe(hxy), withSe(hyx),
                    s.xGivenY(), s.xGivenYSe(), s.yGivenX(), s.yGivenXSe(),
                    lo <= hi ? String.format(Locale.ROOT, "   scenes X|Y %.4f..%.4f", lo, hi) : "");
        }
    }

    /** "value ± se", or n/a for an estimator without entropies (MI-only bounds; the shares need MI only). */
    private static String withSe(Estimate e) {
        return Double.isNaN(e.value()) ? "n/a" : String.format(Locale.ROOT, "%.3f ± %.3f", e.value(), e.se());
    }
}

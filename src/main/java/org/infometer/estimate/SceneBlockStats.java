package org.infometer.estimate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Sufficient statistics of one sample's tokens in a run's leading canonical coordinates: u_1..u_r of X and
 * v_1..v_r of Y, stacked as w = (u, v). With the token count, the sums of w and of w w' determine every Gaussian
 * log-likelihood of these tokens, so the driver can refit a Gaussian per scene (held out, sample by sample)
 * from these small records without seeing a raw map.
 *
 * <p>{@code sum} has 2r entries, {@code cross} is the row-major 2r x 2r matrix of sums of products.
 */
public record SceneBlockStats(int pairs, long tokens, double[] sum, double[] cross) implements Serializable {

    public SceneBlockStats {
        int m = 2 * pairs;
        if (pairs < 1 || sum.length != m || cross.length != m * m) {
            throw new IllegalArgumentException("Scene block of " + pairs + " pairs needs " + m + " sums and "
                    + m * m + " products, got " + sum.length + " and " + cross.length);
        }
    }

    /** Statistics of tokens whose X and Y coordinates are row-major {@code tokens x r} arrays. */
    public static SceneBlockStats of(double[] u, double[] v, int tokens, int r) {
        int m = 2 * r;
        double[] s = new double[m];
        double[] c = new double[m * m];
        double[] w = new double[m];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(u, t * r, w, 0, r);
            System.arraycopy(v, t * r, w, r, r);
            for (int i = 0; i < m; i++) {
                s[i] += w[i];
                for (int j = i; j < m; j++) {
                    c[i * m + j] += w[i] * w[j];
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                c[i * m + j] = c[j * m + i];
            }
        }
        return new SceneBlockStats(r, tokens, s, c);
    }

    public SceneBlockStats plus(SceneBlockStats o) {
        return combine(o, 1);
    }

    public SceneBlockStats minus(SceneBlockStats o) {
        return combine(o, -1);
    }

    private SceneBlockStats combine(SceneBlockStats o, int sign) {
        if (o.pairs != pairs) {
            throw new IllegalArgumentException("Scene blocks of " + pairs + " and " + o.pairs + " pairs");
        }
        double[] s = sum.clone();
        double[] c = cross.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] += sign * o.sum[i];
        }
        for (int i = 0; i < c.length; i++) {
            c[i] += sign * o.cross[i];
        }
        return new SceneBlockStats(pairs, tokens + sign * o.tokens, s, c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SceneBlockStats b && b.pairs == pairs && b.tokens == tokens && Arrays.equals(b.sum, sum)
                && Arrays.equals(b.cross, cross);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * pairs + Long.hashCode(tokens)) + Arrays.hashCode(sum);
    }

    @Override
    public String toString() {
        return "SceneBlockStats[pairs=" + pairs + ", tokens=" + tokens + "]";
    }
}

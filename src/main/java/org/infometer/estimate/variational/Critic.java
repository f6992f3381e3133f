package org.infometer.estimate.variational;

import java.io.Serializable;

/**
 * A trained critic T(x, y) = w2 . g(... g(relu(W1x x + W1y y + b1)) ...) + b2 with {@code layers} hidden layers of
 * {@code hidden} units (g: a further dense layer with relu), held as plain arrays so that evaluating it needs no
 * native engine and gives the same bits on the driver and on any executor.
 *
 * <p>The first layer is split into its x and y parts so that scoring one x against many y (InfoNCE's negatives,
 * MINE's shuffled pairs) projects each token once: {@link #projectX}, {@link #projectY}, then {@link #head}.
 *
 * @param w1 first layer, {@code hidden x (channelsX + channelsY)} row-major (x columns first)
 * @param wh further layers, each {@code hidden x hidden} row-major ({@code layers - 1} of them)
 */
public record Critic(int channelsX, int channelsY, int hidden, float[] w1, float[] b1, float[][] wh, float[][] bh,
                     float[] w2, float b2) implements Serializable {

    /** A critic with one hidden layer. */
    public Critic(int channelsX, int channelsY, int hidden, float[] w1, float[] b1, float[] w2, float b2) {
        this(channelsX, channelsY, hidden, w1, b1, new float[0][], new float[0][], w2, b2);
    }

    public int layers() {
        return 1 + wh.length;
    }

    /** W1x x_i for token {@code i} of row-major {@code x}. */
    public double[] projectX(float[] x, int i) {
        int in = channelsX + channelsY;
        double[] out = new double[hidden];
        for (int h = 0; h < hidden; h++) {
            double a = 0;
            int row = h * in;
            for (int c = 0; c < channelsX; c++) {
                a += w1[row + c] * x[i * channelsX + c];
            }
            out[h] = a;
        }
        return out;
    }

    /** W1y y_j + b1 for token {@code j} of row-major {@code y}. */
    public double[] projectY(float[] y, int j) {
        int in = channelsX + channelsY;
        double[] out = new double[hidden];
        for (int h = 0; h < hidden; h++) {
            double a = b1[h];
            int row = h * in + channelsX;
            for (int c = 0; c < channelsY; c++) {
                a += w1[row + c] * y[j * channelsY + c];
            }
            out[h] = a;
        }
        return out;
    }

    /** T from the two first-layer projections. */
    public double head(double[] px, double[] py) {
        double[] a = new double[hidden];
        for (int h = 0; h < hidden; h++) {
            a[h] = Math.max(0, px[h] + py[h]);
        }
        for (int l = 0; l < wh.length; l++) {
            double[] next = new double[hidden];
            for (int h = 0; h < hidden; h++) {
                double s = bh[l][h];
                int row = h * hidden;
                for (int k = 0; k < hidden; k++) {
                    s += wh[l][row + k] * a[k];
                }
                next[h] = Math.max(0, s);
            }
            a = next;
        }
        double out = b2;
        for (int h = 0; h < hidden; h++) {
            out += w2[h] * a[h];
        }
        return out;
    }

    /** T of token {@code i} of {@code x} paired with token {@code j} of {@code y} (row-major token arrays). */
    public double value(float[] x, int i, float[] y, int j) {
        return head(projectX(x, i), projectY(y, j));
    }
}

package org.infometer.estimate.variational;

import java.io.Serializable;

/**
 * A trained critic T(x, y) = w2 . relu(W1 [x; y] + b1) + b2, held as plain arrays so that evaluating it needs
 * no native engine and gives the same bits on the driver and on any executor.
 */
public record Critic(int channelsX, int channelsY, int hidden, float[] w1, float[] b1, float[] w2, float b2)
        implements Serializable {

    /** T of token {@code i} of {@code x} paired with token {@code j} of {@code y} (row-major token arrays). */
    public double value(float[] x, int i, float[] y, int j) {
        int in = channelsX + channelsY;
        double out = b2;
        for (int h = 0; h < hidden; h++) {
            double a = b1[h];
            int row = h * in;
            for (int c = 0; c < channelsX; c++) {
                a += w1[row + c] * x[i * channelsX + c];
            }
            for (int c = 0; c < channelsY; c++) {
                a += w1[row + channelsX + c] * y[j * channelsY + c];
            }
            if (a > 0) {
                out += w2[h] * a;
            }
        }
        return out;
    }
}

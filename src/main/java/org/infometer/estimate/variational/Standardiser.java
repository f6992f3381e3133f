package org.infometer.estimate.variational;

/**
 * Per-channel centring and scaling by the training tokens' mean and standard deviation, so the critic sees unit
 * scale whatever the features' units (MI is invariant to such maps; the critic's training is not). A constant
 * channel gets scale 1.
 */
final class Standardiser {

    private Standardiser() {
    }

    /** {mean, 1 / sd} per channel of {@code n} row-major tokens of {@code c} channels. */
    static float[][] fit(float[] a, int n, int c) {
        double[] sum = new double[c];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                sum[j] += a[i * c + j];
            }
        }
        float[] mean = new float[c];
        float[] inv = new float[c];
        double[] ss = new double[c];
        for (int j = 0; j < c; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                double d = a[i * c + j] - mean[j];
                ss[j] += d * d;
            }
        }
        for (int j = 0; j < c; j++) {
            double sd = n > 1 ? Math.sqrt(ss[j] / (n - 1)) : 0;
            inv[j] = sd > 0 ? (float) (1 / sd) : 1f;
        }
        return new float[][] {mean, inv};
    }

    static float[] apply(float[] a, float[] mean, float[] inv) {
        int c = mean.length;
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            int j = i % c;
            out[i] = (a[i] - mean[j]) * inv[j];
        }
        return out;
    }
}

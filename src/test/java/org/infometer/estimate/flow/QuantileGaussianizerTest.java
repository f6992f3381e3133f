package org.infometer.estimate.flow;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Gaussianiser's segment lookup (a guide table) against the definition: inside the knots, a value lies on the
 * segment of the last knot at or below it, and maps by that segment's linear interpolation with log-Jacobian the
 * log of its slope. Checked bit for bit on heavy-tailed, bounded and tied margins, at the knots themselves, one
 * ulp either side of them and between them.
 */
class QuantileGaussianizerTest {

    @Test
    void guidedLookupEqualsTheBinarySearchDefinitionBitForBit() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 20_000;
        int channels = 3;
        float[] data = new float[n * channels];
        for (int i = 0; i < n; i++) {
            data[i * channels] = (float) (rnd.nextGaussian() / Math.max(1e-3, Math.abs(rnd.nextGaussian())));
            data[i * channels + 1] = (float) rnd.nextDouble();                       // bounded
            data[i * channels + 2] = (float) Math.floor(rnd.nextDouble() * 7);       // ties: 7 values
        }
        QuantileGaussianizer g = QuantileGaussianizer.fit(data, n, channels);
        for (int c = 0; c < channels; c++) {
            double[][] k = g.knots(c);
            double[] kx = k[0];
            double[] kz = k[1];
            int last = kx.length - 1;
            double[] probes = new double[kx.length * 4];
            int m = 0;
            for (int i = 0; i < kx.length; i++) {
                probes[m++] = kx[i];
                probes[m++] = Math.nextUp((double) (float) kx[i]);
                probes[m++] = Math.nextDown((double) (float) kx[i]);
                probes[m++] = i < last ? 0.5 * (kx[i] + kx[i + 1]) : kx[i];
            }
            float[] in = new float[m];
            for (int i = 0; i < m; i++) {
                in[i] = (float) probes[i];
            }
            QuantileGaussianizer one = single(g, c);
            float[] out = new float[m];
            double[] lj = new double[m];
            one.transform(in, m, out, lj);
            for (int i = 0; i < m; i++) {
                double x = in[i];
                if (x <= kx[0] || x >= kx[last]) {
                    continue;   // the bounded tails are not the lookup's concern
                }
                int s = Arrays.binarySearch(kx, x);
                s = Math.min(s < 0 ? -s - 2 : s, last - 1);
                double slope = (kz[s + 1] - kz[s]) / (kx[s + 1] - kx[s]);
                assertEquals((float) (kz[s] + slope * (x - kx[s])), out[i], "channel " + c + " value " + x);
                assertEquals(Math.log(slope), lj[i], "channel " + c + " value " + x);
            }
        }
    }

    @Test
    void theIdentityMarginIsExactAndSurvivesItsCodec() throws Exception {
        QuantileGaussianizer id = QuantileGaussianizer.identity(2);
        float[] in = {1.5f, -3e7f, Float.MIN_VALUE, 0f};
        float[] out = new float[4];
        double[] lj = new double[2];
        assertEquals(0.0, id.transform(in, 2, out, lj));
        assertArrayEquals(in, out);
        assertArrayEquals(new double[] {0, 0}, lj);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        id.write(new java.io.DataOutputStream(bytes));
        QuantileGaussianizer back = QuantileGaussianizer.read(new java.io.DataInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(2, back.channels());
        assertEquals(true, back.isIdentity());
    }

    /** Channel {@code c} of {@code g} as a one-channel Gaussianiser, through the codec. */
    private static QuantileGaussianizer single(QuantileGaussianizer g, int c) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
            double[][] k = g.knots(c);
            out.writeInt(1);
            out.writeInt(k[0].length);
            for (int i = 0; i < k[0].length; i++) {
                out.writeDouble(k[0][i]);
                out.writeDouble(k[1][i]);
            }
            out.flush();
            return QuantileGaussianizer.read(new java.io.DataInputStream(
                    new java.io.ByteArrayInputStream(bytes.toByteArray())));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

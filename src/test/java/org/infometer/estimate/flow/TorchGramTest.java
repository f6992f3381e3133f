package org.infometer.estimate.flow;

import org.infometer.estimate.JointMoments;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TorchGramTest {

    @Test
    void momentsThroughPyTorchEqualTheBlasMoments() {
        int cx = 7;
        int cy = 5;
        int t = 3001;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[t * cx];
        float[] y = new float[t * cy];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 + r.nextGaussian());
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (x[(i / cy) * cx] * 0.5 - 2 + r.nextGaussian());
        }
        JointMoments blas = new JointMoments(cx, cy);
        blas.addSample(x, y, t);
        JointMoments torch = new JointMoments(cx, cy);
        torch.addSample(x, y, t, TorchGram.INSTANCE);
        double[] a = blas.covariance();
        double[] b = torch.covariance();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-4 * Math.max(1, Math.abs(a[i])), "entry " + i);
        }
        double[] ma = blas.mean();
        double[] mb = torch.mean();
        for (int i = 0; i < ma.length; i++) {
            assertEquals(ma[i], mb[i], 0.0, "means use no Gram");
        }
    }
}

package org.infometer.estimate.flow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The map conditioner's matrix-product convolutions: the values and gradients of a direct convolution, and the
 * same finite gradients on every one of many identical backward passes through two chained 3x3 convolutions,
 * where PyTorch's CPU convolution now and then returned NaN.
 */
class MapConvTest {

    /**
     * Against a direct convolution written out in loops, with the gradients of a randomly weighted sum of the
     * outputs in closed form. PyTorch's convolution is not the reference: on this engine its input gradient is
     * wrong for batches of more than one map (in one case a corner cell got its edge's value and the other
     * corner 0), and now and then NaN.
     */
    @Test
    void matchesDirectConvolutionInValuesAndGradients() {
        FlowEngine.applyThreads(1);
        // (B, K, T, C, O): odd sizes, a single row, a single column, a single output channel.
        int[][] cases = {{4, 2, 7, 5, 6}, {3, 6, 1, 9, 1}, {2, 3, 4, 1, 5}, {1, 1, 3, 3, 1}, {16, 2, 8, 3, 8}};
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), FlowEngine.ENGINE_NAME)) {
            SplittableRandom rng = new SplittableRandom(11);
            for (int[] c : cases) {
                for (int kernel : new int[] {3, 1}) {
                    String name = Arrays.toString(c) + " " + kernel + "x" + kernel;
                    int bn = c[0], kn = c[1], tn = c[2], cn = c[3], on = c[4];
                    Shape[] shapes = {new Shape(bn, tn, cn, kn), new Shape(on, kn, kernel, kernel), new Shape(on),
                        new Shape(bn, tn, cn, on)};
                    float[][] v = random(rng, shapes);
                    float[][] got = gradients(m, shapes, v, p -> new NDArray[] {(kernel == 3
                            ? MapConv.conv3x3(p[0], p[1], p[2]) : MapConv.conv1x1(p[0], p[1], p[2])).mul(p[3])});
                    float[][] want = direct(v, bn, kn, tn, cn, on, kernel);
                    String[] what = {"weighted output", "input gradient", "weight gradient", "bias gradient"};
                    for (int i = 0; i < what.length; i++) {
                        assertArrayEquals(want[i], got[i], 1e-4f, name + ", " + what[i]);
                    }
                }
            }
        }
    }

    /**
     * Direct cross-correlation, zero padding (kernel - 1) / 2, channels-last, and for the loss
     * {@code sum(y * r)} the closed-form gradients with respect to input, weight and bias.
     */
    private static float[][] direct(float[][] v, int bn, int kn, int tn, int cn, int on, int kernel) {
        float[] in = v[0];
        float[] w = v[1];
        float[] bias = v[2];
        float[] r = v[3];
        int pad = (kernel - 1) / 2;
        double[] y = new double[bn * tn * cn * on];
        double[] gin = new double[in.length];
        double[] gw = new double[w.length];
        double[] gb = new double[on];
        for (int b = 0; b < bn; b++) {
            for (int t = 0; t < tn; t++) {
                for (int c = 0; c < cn; c++) {
                    for (int o = 0; o < on; o++) {
                        int yi = ((b * tn + t) * cn + c) * on + o;
                        double acc = bias[o];
                        gb[o] += r[yi];
                        for (int k = 0; k < kn; k++) {
                            for (int i = 0; i < kernel; i++) {
                                for (int j = 0; j < kernel; j++) {
                                    int tt = t + i - pad;
                                    int cc = c + j - pad;
                                    if (tt < 0 || tt >= tn || cc < 0 || cc >= cn) {
                                        continue;
                                    }
                                    int xi = ((b * tn + tt) * cn + cc) * kn + k;
                                    int wi = ((o * kn + k) * kernel + i) * kernel + j;
                                    acc += in[xi] * w[wi];
                                    gin[xi] += r[yi] * w[wi];
                                    gw[wi] += r[yi] * in[xi];
                                }
                            }
                        }
                        y[yi] = acc * r[yi];
                    }
                }
            }
        }
        return new float[][] {floats(y), floats(gin), floats(gw), floats(gb)};
    }

    private static float[] floats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    @Test
    void chainedConvolutionsGiveTheSameFiniteGradientsOnEveryPass() {
        FlowEngine.applyThreads(1);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), FlowEngine.ENGINE_NAME)) {
            SplittableRandom rng = new SplittableRandom(3);
            // The coupling's shape: 2 input channels, 8 hidden, 1 output, on 16 maps of 8 x 3.
            Shape[] shapes = {new Shape(16, 8, 3, 2), new Shape(8, 2, 3, 3), new Shape(8), new Shape(1, 8, 3, 3),
                new Shape(1)};
            float[][] values = random(rng, shapes);
            float[][] first = null;
            for (int pass = 0; pass < 1500; pass++) {
                float[][] g = gradients(m, shapes, values, p -> new NDArray[] {
                    MapConv.conv3x3(Activation.relu(MapConv.conv3x3(p[0], p[1], p[2])), p[3], p[4]).square()});
                if (first == null) {
                    first = g;
                    for (float[] a : g) {
                        for (float v : a) {
                            assertTrue(Float.isFinite(v), "non-finite gradient on the first pass");
                        }
                    }
                } else {
                    for (int i = 0; i < g.length; i++) {
                        assertArrayEquals(first[i], g[i], 0f, "pass " + pass + ", output/gradient " + i);
                    }
                }
            }
        }
    }

    private static float[][] random(SplittableRandom rng, Shape[] shapes) {
        float[][] values = new float[shapes.length][];
        for (int k = 0; k < shapes.length; k++) {
            values[k] = AffineCoupling.gaussian(rng, Math.toIntExact(shapes[k].size()), 0.5);
        }
        return values;
    }

    /**
     * The outputs of {@code f}, then the gradient of the sum of all outputs with respect to each input; the
     * inputs are fresh leaves on every call, so no gradient carries over from an earlier call.
     */
    private static float[][] gradients(NDManager m, Shape[] shapes, float[][] values,
            Function<NDArray[], NDArray[]> f) {
        try (NDScope scope = new NDScope(); GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDArray[] params = new NDArray[shapes.length];
            for (int k = 0; k < shapes.length; k++) {
                params[k] = FlowLayer.owned(m.create(values[k], shapes[k]));
                params[k].setRequiresGradient(true);
            }
            NDArray[] outs = f.apply(params);
            NDArray total = null;
            for (NDArray o : outs) {
                total = total == null ? o.sum() : total.add(o.sum());
            }
            gc.backward(total);
            float[][] r = new float[outs.length + params.length][];
            for (int i = 0; i < outs.length; i++) {
                r[i] = outs[i].toFloatArray();
            }
            for (int i = 0; i < params.length; i++) {
                r[outs.length + i] = params[i].getGradient().toFloatArray();
            }
            scope.suppressNotUsedWarning();
            return r;
        }
    }
}

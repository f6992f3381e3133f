package org.infometer.estimate.flow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gradients the flows train on are the gradients of their codelength: autograd against central finite
 * differences, for every parameter of a map flow (batches of several maps, where the engine's own convolution
 * got the input gradient wrong) and of the token granularity's dependence flow. A fit on wrong gradients still
 * lowers its loss for a while, so only a check like this one shows them.
 */
class FlowGradientTest {

    private static final float EPS = 2e-3f;
    private static final double TOLERANCE = 0.05;

    @Test
    void mapFlowGradientsAreThoseOfItsCodelength() {
        FlowEngine.applyThreads(1);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), FlowEngine.ENGINE_NAME)) {
            FlowConfig cfg = FlowConfig.builder(FlowGranularity.MAP).convChannels(4).flowSteps(2)
                    .mixtureComponents(2).intraOpThreads(1).device("cpu").build();
            FlowBlock block = new FlowBlock(FlowSpec.of(cfg, 3));
            SplittableRandom rng = new SplittableRandom(17);
            float[] maps = AffineCoupling.gaussian(rng, 3 * 5 * 3, 1.0);
            NDArray x = FlowLayer.owned(m.create(maps, new Shape(3, 1, 5, 3)));
            FlowEngine.disableGrad();
            block.initializeFromData(m, x, 9L);
            check(m, block, rng, ps -> block.codelengthNats(ps, x, true).sum());
        }
    }

    @Test
    void dependenceFlowGradientsAreThoseOfItsCodelength() {
        FlowEngine.applyThreads(1);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), FlowEngine.ENGINE_NAME)) {
            DependenceBlock block = new DependenceBlock(2, 3, 8, 3, 2);
            SplittableRandom rng = new SplittableRandom(23);
            FlowEngine.disableGrad();
            block.initialize(m, new double[] {0.6, 0.3}, new SplittableRandom(5));
            int n = 12;
            NDArray b = FlowLayer.owned(m.create(AffineCoupling.gaussian(rng, n * 2, 1.0), new Shape(n, 2)));
            NDArray c = FlowLayer.owned(m.create(AffineCoupling.gaussian(rng, n * 3, 1.0), new Shape(n, 3)));
            float[] ones = new float[n];
            Arrays.fill(ones, 1f);
            NDArray flag = FlowLayer.owned(m.create(ones, new Shape(n, 1)));
            check(m, block, rng, ps -> block.negLogDensity(ps, b, c, flag, true).sum());
        }
    }

    /**
     * Moves every parameter off its initial value (output layers start at zero, where many gradients vanish),
     * then compares autograd with central differences on up to six entries of each parameter.
     */
    private static void check(NDManager m, Block block, SplittableRandom rng,
            Function<ParameterStore, NDArray> loss) {
        List<Parameter> params = new ArrayList<>(block.getParameters().values());
        for (Parameter p : params) {
            NDArray a = p.getArray();
            float[] v = a.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (0.2 * rng.nextGaussian());
            }
            a.set(FloatBuffer.wrap(v));
            a.setRequiresGradient(true);
        }
        ParameterStore ps = new ParameterStore(m, false);
        List<float[]> grads = new ArrayList<>();
        try (NDScope scope = new NDScope(); GradientCollector gc = m.getEngine().newGradientCollector()) {
            gc.backward(loss.apply(ps));
            for (Parameter p : params) {
                grads.add(p.getArray().getGradient().toFloatArray());
            }
            scope.suppressNotUsedWarning();
        }
        FlowEngine.disableGrad();
        int checked = 0;
        for (int k = 0; k < params.size(); k++) {
            NDArray a = params.get(k).getArray();
            float[] v = a.toFloatArray();
            for (int e = 0; e < Math.min(6, v.length); e++) {
                int i = v.length <= 6 ? e : rng.nextInt(v.length);
                // Richardson's extrapolation of two central differences cancels their h^2 error, so the step
                // can stay large against float32 rounding of the loss.
                double numeric = (4 * central(a, v, i, EPS / 2, ps, loss) - central(a, v, i, EPS, ps, loss)) / 3;
                double auto = grads.get(k)[i];
                assertTrue(Math.abs(numeric - auto) <= TOLERANCE * (1 + Math.abs(numeric)),
                        params.get(k).getName() + "[" + i + "]: autograd " + auto + ", finite differences " + numeric);
                checked++;
            }
        }
        assertTrue(checked > 20, "only " + checked + " entries checked");
    }

    private static double central(NDArray a, float[] v, int i, float h, ParameterStore ps,
            Function<ParameterStore, NDArray> loss) {
        float keep = v[i];
        v[i] = keep + h;
        double up = value(a, v, ps, loss);
        v[i] = keep - h;
        double down = value(a, v, ps, loss);
        v[i] = keep;
        a.set(FloatBuffer.wrap(v));
        return (up - down) / (2 * h);
    }

    private static double value(NDArray a, float[] v, ParameterStore ps,
            Function<ParameterStore, NDArray> loss) {
        a.set(FloatBuffer.wrap(v));
        try (NDScope scope = new NDScope()) {
            double r = loss.apply(ps).getFloat();
            scope.suppressNotUsedWarning();
            return r;
        }
    }
}

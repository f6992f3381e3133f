package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One invertible layer of a flow. Inputs are {@code (B, D)} in token granularity and {@code (B, 1, T, C)} in map
 * granularity; the channel axis is always the last one, so per-channel layers serve both.
 *
 * <p>Parameters are created by {@link #initFromData} from a seeded generator and the data that reaches the
 * layer (never by DJL's own initialisers, whose randomness is engine-global), so the same key gives the same
 * parameters whichever thread or JVM fits.
 */
abstract class FlowLayer extends AbstractBlock {

    FlowLayer() {
        super((byte) 1);
    }

    /** Returns {@code (z, logdet)} where logdet is per observation {@code (B)} or a scalar broadcast to all. */
    abstract NDList transform(ParameterStore ps, NDArray x, boolean training);

    /** Sets every parameter of this layer; {@code x} is the init sample as it arrives at this layer. */
    abstract void initFromData(NDManager paramManager, NDArray x, SplittableRandom rng);

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return transform(ps, inputs.head(), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0], new Shape(inputShapes[0].get(0))};
    }

    static Parameter trainable(String name) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optRequiresGrad(true).build();
    }

    static Parameter constant(String name) {
        return Parameter.builder().setName(name).setType(Parameter.Type.OTHER).optRequiresGrad(false).build();
    }

    /**
     * Parameter arrays must outlive the NDScope that initialisation runs in, and must live in memory PyTorch
     * allocated: an array created from a Java buffer wraps that buffer at whatever alignment the JVM gave it, and
     * BLAS kernels take alignment-dependent paths, which made identical fits differ in the last bits.
     */
    static void assign(Parameter p, NDManager m, float[] data, Shape shape) {
        NDArray a = owned(m.create(data, shape));
        NDScope.unregister(a);
        p.setArray(a);
    }

    /** A copy in PyTorch-allocated (aligned) memory; closes the Java-buffer-backed original. */
    static NDArray owned(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }

    /**
     * {@code a * v} with the constant in PyTorch-owned memory. DJL's {@code mul(Number)} wraps the constant in a
     * Java buffer and frees it right after the call, yet autograd keeps that tensor for the backward pass, which
     * then reads freed memory (random NaNs and run-to-run differences in the gradients).
     */
    static NDArray times(NDArray a, double v) {
        return a.mul(a.getManager().full(new Shape(), (float) v));
    }

    static NDArray value(ParameterStore ps, Parameter p, NDArray like, boolean training) {
        return ps.getValue(p, like.getDevice(), training);
    }

    /** Positions (tokens) per observation that share per-channel parameters: 1 for token, T for map. */
    static long positions(NDArray x) {
        Shape s = x.getShape();
        return s.size() / (s.get(0) * s.get(s.dimension() - 1));
    }

    /** Sum over every axis but the observation axis. */
    static NDArray perObservation(NDArray a) {
        int nd = a.getShape().dimension();
        if (nd == 1) {
            return a;
        }
        int[] axes = new int[nd - 1];
        for (int i = 1; i < nd; i++) {
            axes[i - 1] = i;
        }
        return a.sum(axes);
    }

    /**
     * Conditioner input squashing sign(x) log(1 + |x|): heavy-tailed inputs would otherwise saturate the
     * conditioner and blow up shifts; it does not touch invertibility because the conditioned half passes as is.
     */
    static NDArray squash(NDArray x) {
        return x.abs().add(1f).log().mul(x.sign());
    }

    /** Per-channel columns of the init sample on the host: {@code columns[c]} holds every value of channel c. */
    static float[][] channelColumns(NDArray x) {
        int d = (int) x.getShape().get(x.getShape().dimension() - 1);
        float[] flat = x.toFloatArray();
        int rows = flat.length / d;
        float[][] cols = new float[d][rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < d; c++) {
                cols[c][r] = flat[r * d + c];
            }
        }
        return cols;
    }

    static float quantile(float[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        double w = pos - lo;
        return (float) (sorted[lo] * (1 - w) + sorted[hi] * w);
    }

    /**
     * Robust spread (interquartile range of a normal, so it equals sigma there): a standard deviation would be
     * dominated by the few huge values of heavy-tailed channels and squeeze the bulk into a point.
     */
    static double robustScale(float[] sorted) {
        double iqr = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 1.349;
        if (iqr > 1e-6) {
            return iqr;
        }
        double mean = 0;
        for (float v : sorted) {
            mean += v;
        }
        mean /= sorted.length;
        double var = 0;
        for (float v : sorted) {
            var += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(var / Math.max(1, sorted.length - 1));
        return sd > 1e-6 ? sd : 1.0;
    }

    static float[] sortedCopy(float[] a) {
        float[] s = a.clone();
        Arrays.sort(s);
        return s;
    }
}

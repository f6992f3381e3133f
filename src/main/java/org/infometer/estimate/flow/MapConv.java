package org.infometer.estimate.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The map conditioner's convolutions as matrix products on channels-last maps {@code (B, T, C, K)}: a 3x3
 * convolution is nine products of the padded map with one kernel tap each, whose outputs are shifted into
 * place and summed.
 *
 * <p>Why not the engine's convolution: on the bundled PyTorch 2.5.1 CPU engine its gradient with respect to the
 * input is wrong from a batch of two maps on (against a direct convolution, errors as large as the gradient
 * itself; in one case a corner cell got its edge's value and the other corner 0), and now and then NaN, at a
 * random step, with or without garbage collection, with {@code ATEN_CPU_CAPABILITY} {@code default} and
 * {@code avx2} as well as AVX-512. Identical fits then diverged or stopped with a non-finite loss. Matrix
 * products have no such path, and each product reads the padded map whole (contiguous), so autograd keeps one
 * padded map per convolution rather than nine shifted copies.
 */
final class MapConv {

    private MapConv() {
    }

    /**
     * Cross-correlation with zero padding 1, PyTorch's convolution semantics: {@code out[t, c] = b + sum over
     * (i, j) of in[t + i - 1, c + j - 1] . w[:, :, i, j]}.
     *
     * @param in channels-last map {@code (B, T, C, K)}
     * @param w  kernel {@code (O, K, 3, 3)}, PyTorch's layout, so stored parameters keep their meaning
     * @param b  bias {@code (O)}
     * @return {@code (B, T, C, O)}
     */
    static NDArray conv3x3(NDArray in, NDArray w, NDArray b) {
        Shape s = in.getShape();
        long t = s.get(1);
        long c = s.get(2);
        NDArray padded = in.pad(new Shape(0, 0, 1, 1, 1, 1), 0);
        NDArray out = null;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                NDArray tap = w.get(":, :, {}, {}", i, j).transpose();
                NDArray shifted = padded.matMul(tap).get(":, {}:{}, {}:{}, :", i, i + t, j, j + c);
                out = out == null ? shifted : out.add(shifted);
            }
        }
        return out.add(b);
    }

    /** 1x1 convolution: {@code in (B, T, C, K)}, {@code w (O, K, 1, 1)}, {@code b (O)}; returns (B, T, C, O). */
    static NDArray conv1x1(NDArray in, NDArray w, NDArray b) {
        Shape ws = w.getShape();
        return in.matMul(w.reshape(ws.get(0), ws.get(1)).transpose()).add(b);
    }
}

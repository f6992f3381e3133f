package org.infometer.estimate.flow;

import java.util.List;

/**
 * Usage: {@code model.summary().curves().get("xy")} after a fit, or from {@link FlowModelStore#readInfo}.
 * Training record of one flow: per-epoch losses in bits per token, the epoch whose parameters were kept
 * (lowest held-out loss), why training stopped, and its wall time.
 */
public record FlowCurve(List<Epoch> epochs, int bestEpoch, double bestHeldOutBitsPerToken, String stopReason,
        double fitSeconds) {

    public FlowCurve {
        epochs = List.copyOf(epochs);
    }

    public record Epoch(int epoch, double trainBitsPerToken, double heldOutBitsPerToken) {
    }
}

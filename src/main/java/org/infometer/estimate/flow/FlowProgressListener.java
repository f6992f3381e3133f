package org.infometer.estimate.flow;

/**
 * Usage: pass a lambda to {@link FlowTrainer#fit}, e.g. {@code (flow, epoch, train, held) -> log.info(...)}.
 * Receives one call per finished epoch of each flow ({@code x}, {@code y}, {@code xy}), so a Spark task can log
 * progress. Losses are codelengths in bits per token: training average over the epoch, and held-out.
 */
@FunctionalInterface
public interface FlowProgressListener {

    FlowProgressListener NONE = (flow, epoch, trainBitsPerToken, heldOutBitsPerToken) -> { };

    void onEpoch(String flow, int epoch, double trainBitsPerToken, double heldOutBitsPerToken);
}

package org.infometer.estimate.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Usage: {@code model.summary()} after {@link FlowTrainer#fit} or a load; log it or store it with results.
 * What a pair model was fitted on and how fitting went: stream and buffer sizes, the train / held-out split in
 * observations (tokens for token granularity, samples for map granularity), and one curve per flow
 * ({@code x}, {@code y}, {@code xy}), or for the dependence flow of token granularity its one curve
 * {@code dependence} (loss: mean of -ln q(b | c) and -ln q(b), bits per token).
 *
 * @param mapTokens tokens per sample the map flows were trained on (0 for token granularity)
 */
public record FlowFitSummary(long samplesSeen, long tokensSeen, long samplesBuffered, long tokensBuffered,
        long trainObservations, long heldOutObservations, int mapTokens, Map<String, FlowCurve> curves, double dependenceHeldOutMiBits) {

    /** A three-flow fit (map granularity): the held-out MI follows from the curves. */
    public FlowFitSummary(long samplesSeen, long tokensSeen, long samplesBuffered, long tokensBuffered,
            long trainObservations, long heldOutObservations, int mapTokens, Map<String, FlowCurve> curves) {
        this(samplesSeen, tokensSeen, samplesBuffered, tokensBuffered, trainObservations, heldOutObservations,
                mapTokens, curves, Double.NaN);
    }

    public FlowFitSummary {
        curves = Collections.unmodifiableMap(new LinkedHashMap<>(curves));
    }

    /** Held-out codelength in bits per token of the flow named {@code x}, {@code y} or {@code xy}. */
    public double heldOutBitsPerToken(String flow) {
        FlowCurve c = curves.get(flow);
        if (c == null) {
            throw new IllegalArgumentException("No flow named '" + flow + "'; expected x, y or xy");
        }
        return c.bestHeldOutBitsPerToken();
    }

    /**
     * Held-out mutual information estimate in bits per token: H(X) + H(Y) - H(X,Y) on the held-out slice (for the
     * dependence flow, the mean pointwise MI of its joint model there).
     */
    public double heldOutMiBitsPerToken() {
        if (curves.containsKey("dependence")) {
            return dependenceHeldOutMiBits;
        }
        return heldOutBitsPerToken("x") + heldOutBitsPerToken("y") - heldOutBitsPerToken("xy");
    }
}

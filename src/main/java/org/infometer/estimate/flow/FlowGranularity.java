package org.infometer.estimate.flow;

/**
 * What one observation of a flow is.
 *
 * <p>Usage: pick one in {@link FlowConfig.Builder#granularity}; the fitted model reports
 * {@link #estimatorName()} as its {@code estimator()}.
 */
public enum FlowGranularity {
    /** Each token's channel vector is one observation; a sample's codelength is the sum over its tokens. */
    TOKEN("flow-token"),
    /**
     * The whole {@code tokens x channels} map is one single-channel image, so coupling conditioners (small
     * convolutions) see neighbouring tokens and channels.
     */
    MAP("flow-map");

    private final String estimatorName;

    FlowGranularity(String estimatorName) {
        this.estimatorName = estimatorName;
    }

    public String estimatorName() {
        return estimatorName;
    }

    /** Parses an estimator name ({@code flow-token}, {@code flow-map}) or a plain enum name. */
    public static FlowGranularity parse(String name) {
        for (FlowGranularity g : values()) {
            if (g.estimatorName.equalsIgnoreCase(name) || g.name().equalsIgnoreCase(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("Unknown flow granularity '" + name
                + "': expected one of token, map, flow-token, flow-map");
    }
}

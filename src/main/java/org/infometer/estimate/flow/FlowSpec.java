package org.infometer.estimate.flow;

/**
 * The architecture of one flow, enough to rebuild its block before loading parameters into it.
 *
 * @param channels channels of the variable this flow models (Cx, Cy or Cx + Cy)
 */
record FlowSpec(FlowGranularity granularity, int channels, int steps, int hidden, int convChannels,
        int components, double scaleBound) {

    static FlowSpec of(FlowConfig config, int channels) {
        return new FlowSpec(config.granularity(), channels, config.flowSteps(), config.hiddenUnits(),
                config.convChannels(), config.mixtureComponents(), config.scaleBound());
    }
}

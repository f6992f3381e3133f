package org.infometer.estimate.flow;

/**
 * Usage: {@code FlowModelStore.readInfo(dir)} to inspect a saved model without loading its parameters.
 * The JSON metadata saved beside a flow model's parameters ({@value FlowModelStore#METADATA_FILE}): enough to
 * rebuild the blocks, check the input, and tell how and on what the model was fitted.
 *
 * @param inputFingerprint caller-given fingerprint of the input schema the model was fitted on
 * @param flows            parameter files: DJL {@code <prefix>-0000.params} prefixes of the three flows, or the
 *                         dependence model's file
 * @param variant          {@code dependence} (token granularity) or {@code three-flows} (map granularity)
 */
public record FlowModelInfo(int formatVersion, String estimator, int channelsX, int channelsY,
        String inputFingerprint, long seedKey, FlowConfig config, FlowFitSummary fit, String djlVersion,
        String pytorchVersion, java.util.List<String> flows, String variant) {
}

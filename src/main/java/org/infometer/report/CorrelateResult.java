package org.infometer.report;

import org.infometer.config.CorrelateConfig;
import org.infometer.correlate.CorrelationAnalysis;
import org.infometer.correlate.RunAccuracy;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** What the correlate mode computed, returned to callers and printed; the tables hold the same. */
public record CorrelateResult(CorrelateConfig config, LocalDate miRunDate, List<String> runs, int scenePoints,
                              Map<String, RunAccuracy> runAccuracy, Map<String, double[]> runAccuracyFromDetections,
                              int sceneAccuracyRows, List<CorrelationAnalysis.CorrelationRow> rows,
                              List<String> notes) {
}

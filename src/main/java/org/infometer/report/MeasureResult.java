package org.infometer.report;

import org.infometer.estimate.ScoredRow;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a measurement run produced, returned to callers (tests, the demo) as well as written to tables.
 * {@code diagnosticsByRun} holds the estimator's per-run diagnostics ({@code run_mi} column to value).
 * {@code shardEstimatesByRun} is empty unless the estimator fitted per shard. {@code status} is "succeeded" when every
 * run and scene row is ok and "succeeded_with_warnings" otherwise; {@code runValidity} holds each run's verdict,
 * {@code sceneValidity} each scene's (keyed by run id, NUL, scene token: the job's {@code sceneKey}).
 * {@code trueMiBitsPerTokenByRun} is the true MI of each run's pooled (scene-mixture) distribution, the run
 * estimand; {@code trueSceneMiBitsPerToken} each scene's own true MI (same keys as {@code sceneValidity}); both empty without ground truth.
 * {@code samples} and {@code rejected} are read from the executors only when first used (the job itself uses the
 * counts {@code scored}, {@code quarantined} and {@code quarantinedByReason}); samples come sorted by run and sample
 * token, rejected rows by source file, run and sample token.
 */
public record MeasureResult(String status, long inputRows, List<SampleResult> samples, List<ScoredRow> rejected,
                            List<Reductions.RunStats> runs, List<Reductions.SceneStats> scenes,
                            Map<String, Double> trueMiBitsPerTokenByRun, Map<String, Map<String, Double>> diagnosticsByRun,
                            Map<String, ShardEstimates.Combined> shardEstimatesByRun, Path summary,
                            Map<String, Validity.Verdict> runValidity, Map<String, Validity.Verdict> sceneValidity,
                            Map<String, Double> trueSceneMiBitsPerToken, long scored, long quarantined,
                            Map<String, Long> quarantinedByReason) {
}

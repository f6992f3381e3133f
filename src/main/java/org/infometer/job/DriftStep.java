package org.infometer.job;

import org.infometer.config.JobConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.infometer.history.DriftCheck;
import org.infometer.history.HistoryTable;
import org.infometer.estimate.registry.Estimators;
import org.infometer.report.SummaryJson;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** After an MI job: the drift check on its history, printed and added to its summary.json as a {@code drift} block. */
public final class DriftStep {

    private DriftStep() {
    }

    public static DriftCheck.Result run(SparkSession spark, JobConfig cfg, PrintStream out) {
        // Only the date's own estimator: another estimator's MI of the same runs is no baseline for it.
        String estimator = Estimators.spec(cfg.estimator().name()).label(cfg.estimator().granularity());
        DriftCheck.Result r = DriftCheck.check(HistoryTable.points(spark, cfg.output().catalog() + "."
                + cfg.output().namespace(), cfg.name(), estimator, cfg.date()), cfg.date(),
                cfg.drift().previousDates(), cfg.drift().zThreshold());
        out.println();
        out.println("Drift against the previous " + r.previousDatesWanted() + " dates (|z| > " + r.zThreshold()
                + " alerts): " + r.status());
        r.runs().forEach(d -> out.println("  " + d.message()));
        Path summary = SummaryJson.path(cfg);
        if (Files.isRegularFile(summary)) {
            try {
                ObjectNode root = (ObjectNode) new ObjectMapper().readTree(summary.toFile());
                root.set("drift", block(r));
                root.put("drift_status", r.status());
                SummaryJson.write(cfg, root);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot add the drift block to " + summary, e);
            }
        }
        return r;
    }

    static ObjectNode block(DriftCheck.Result r) {
        ObjectNode o = JobConfig.JSON.createObjectNode();
        o.put("status", r.status());
        o.put("previous_dates", r.previousDatesWanted());
        o.put("z_threshold", r.zThreshold());
        ArrayNode runs = o.putArray("runs");
        for (DriftCheck.RunDrift d : r.runs()) {
            ObjectNode x = runs.addObject();
            x.put("run_id", d.runId());
            x.put("status", d.status());
            put(x, "mi_bits_per_token", d.mi());
            put(x, "baseline_mi_bits_per_token", d.baseline());
            put(x, "difference_bits_per_token", d.difference());
            put(x, "difference_se_bits_per_token", d.se());
            put(x, "z", d.z());
            ArrayNode dates = x.putArray("previous_run_dates");
            d.previousDates().forEach(date -> dates.add(date.toString()));
            x.put("message", d.message());
        }
        return o;
    }

    /** NaN (no comparison) as JSON null, which every reader understands. */
    private static void put(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }
}

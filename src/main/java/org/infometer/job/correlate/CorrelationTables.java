package org.infometer.job.correlate;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.correlate.CorrelationAnalysis;
import org.infometer.correlate.RunAccuracy;
import org.infometer.correlate.nuscenes.TpMetric;
import org.infometer.io.IcebergTables;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Publishes the correlate mode's tables together: run_accuracy, scene_accuracy and correlation. */
public final class CorrelationTables {

    private CorrelationTables() {
    }

    public static void write(SparkSession spark, CorrelateConfig cfg, LocalDate miDate,
                                    List<CorrelationAnalysis.CorrelationRow> rows, Map<String, RunAccuracy> runAcc,
                                    Map<String, double[]> fromDetections, List<Row> sceneRows) {
        Date date = Date.valueOf(cfg.date());
        String job = cfg.name();
        List<Row> corr = new ArrayList<>();
        for (CorrelationAnalysis.CorrelationRow r : rows) {
            corr.add(prefixed(r.toRow(), date, job, cfg.mi().jobName(), Date.valueOf(miDate)));
        }
        List<Row> runs = new ArrayList<>();
        for (RunAccuracy a : runAcc.values()) {
            List<Object> v = new ArrayList<>(List.of(date, job, a.runId(), a.source(), a.map(), a.nds()));
            for (TpMetric t : TpMetric.values()) {
                v.add(nanToNull(a.tpErrors()[t.ordinal()]));
            }
            double[] d = fromDetections.get(a.runId());
            v.add(d == null ? null : d[0]);
            v.add(d == null ? null : d[1]);
            runs.add(RowFactory.create(v.toArray()));
        }
        List<Row> scenes = new ArrayList<>();
        for (Row r : sceneRows) {
            scenes.add(prefixed(r, date, job));
        }
        Map<String, List<Row>> tables = new LinkedHashMap<>();
        tables.put("run_accuracy", runs);
        tables.put("scene_accuracy", scenes);
        tables.put("correlation", corr);
        String cat = cfg.output().catalog();
        String ns = cfg.output().namespace();
        IcebergTables.publish(spark, cat, ns, tables, cfg.date(), job);
    }

    private static Row prefixed(Row r, Object... first) {
        Object[] v = new Object[first.length + r.length()];
        System.arraycopy(first, 0, v, 0, first.length);
        for (int i = 0; i < r.length(); i++) {
            v[first.length + i] = r.get(i);
        }
        return RowFactory.create(v);
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}

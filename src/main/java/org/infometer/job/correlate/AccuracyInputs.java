package org.infometer.job.correlate;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.correlate.RunAccuracy;
import org.infometer.schema.InputException;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The correlate mode's run-level y side: devkit metrics files, a Parquet table or a catalog table. */
public final class AccuracyInputs {

    private AccuracyInputs() {
    }

    public static Map<String, RunAccuracy> readRunAccuracy(SparkSession spark, CorrelateConfig cfg, List<String> runs) {
        CorrelateConfig.RunAccuracy a = cfg.runAccuracy();
        if (CorrelateConfig.blankToNull(a.metricsDir()) != null) {
            return RunAccuracy.fromMetricsDir(spark, a.metricsDir(), runs);
        }
        Dataset<Row> df;
        String label;
        if (CorrelateConfig.blankToNull(a.parquet()) != null) {
            df = readParquet(spark, a.parquet(), "runAccuracy.parquet");
            label = a.parquet();
        } else {
            if (!spark.catalog().tableExists(a.table())) {
                throw new InputException("runAccuracy.table " + a.table() + " does not exist");
            }
            df = spark.table(a.table());
            label = a.table();
        }
        if (a.where() != null && !a.where().isBlank()) {
            df = df.where(a.where());
            label += " WHERE " + a.where();
        }
        return RunAccuracy.fromTable(df, label, runs, cfg.y().run());
    }

    public static Dataset<Row> readParquet(SparkSession spark, String path, String what) {
        Path p = new Path(path);
        try {
            if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
                throw new InputException(what + ": " + path + " does not exist");
            }
        } catch (IOException e) {
            throw new InputException(what + ": cannot access " + path + ": " + e.getMessage(), e);
        }
        return spark.read().parquet(path);
    }
}

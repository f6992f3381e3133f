package org.infometer.importer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.InputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Detector dumps to the features contract, on Spark: the index (CSV with a header, or JSON lines) is split over
 * tasks and every task decodes its samples' dumps. Index columns: run_id, scene_token, sample_token, timestamp and
 * {@code file} (npz: one file per sample with an array per modality) or {@code <modality>_file} per modality (npy),
 * relative to the dump directory.
 */
public final class DumpImport {

    private DumpImport() {
    }

    public record Options(String format, String dir, String index, String out, String x, String y, int partitions) {
        public Options {
            if (!format.equals("npz") && !format.equals("npy")) {
                throw new IllegalArgumentException("--from must be npz or npy, got " + format);
            }
        }
    }

    /** Imports and returns the number of samples written. */
    public static long run(SparkSession spark, Options o) {
        Dataset<Row> index = (o.index().endsWith(".json") || o.index().endsWith(".jsonl")
                ? spark.read().json(o.index()) : spark.read().option("header", true).csv(o.index()));
        List<String> need = new ArrayList<>(List.of("run_id", "scene_token", "sample_token", "timestamp"));
        if (o.format().equals("npz")) {
            need.add("file");
        } else {
            need.add(o.x() + "_file");
            need.add(o.y() + "_file");
        }
        for (String c : need) {
            if (!List.of(index.columns()).contains(c)) {
                throw new InputException("index " + o.index() + ": column '" + c + "' is missing (columns: "
                        + List.of(index.columns()) + "; --from " + o.format() + " needs " + need + ")");
            }
        }
        StructType schema = new FeatureContract(o.x(), o.y()).schema();
        String dir = o.dir();
        String format = o.format();
        String x = o.x();
        String y = o.y();
        String indexName = o.index();
        Dataset<Row> rows = index.selectExpr(need.stream().map(c -> "CAST(`" + c + "` AS STRING) AS `" + c + "`")
                .toArray(String[]::new)).repartition(Math.max(1, o.partitions()));
        MapPartitionsFunction<Row, Row> decode = it -> decodeAll(it, dir, format, x, y, indexName);
        Dataset<Row> features = rows.mapPartitions(decode, Encoders.row(schema));
        features.write().mode(SaveMode.Overwrite).parquet(o.out());
        return spark.read().parquet(o.out()).count();
    }

    static Iterator<Row> decodeAll(Iterator<Row> it, String dir, String format, String x, String y, String index) {
        List<Row> out = new ArrayList<>();
        org.infometer.estimate.Blas.loadBeforeNativeEngines();
        try (NDManager manager = NDManager.newBaseManager()) {
            while (it.hasNext()) {
                Row r = it.next();
                String where = "index " + index + " sample_token " + r.getString(2);
                for (int c = 0; c < 4; c++) {
                    if (r.isNullAt(c) || r.getString(c).isBlank()) {
                        throw new InputException(where + ": column '" + r.schema().fieldNames()[c]
                                + "' is empty, expected a value");
                    }
                }
                long timestamp;
                try {
                    timestamp = Long.parseLong(r.getString(3).trim());
                } catch (NumberFormatException e) {
                    throw new InputException(where + ": column 'timestamp' is '" + r.getString(3)
                            + "', expected a whole number (microseconds)");
                }
                DumpReader.FeatureMap mx;
                DumpReader.FeatureMap my;
                try (NDManager sample = manager.newSubManager()) {
                    if (format.equals("npz")) {
                        Path f = Path.of(dir, r.getString(4));
                        NDList list = DumpReader.decode(sample, f, where);
                        mx = DumpReader.map(list, x, false, f, where);
                        my = DumpReader.map(list, y, false, f, where);
                    } else {
                        Path fx = Path.of(dir, r.getString(4));
                        Path fy = Path.of(dir, r.getString(5));
                        mx = DumpReader.map(DumpReader.decode(sample, fx, where), x, true, fx, where);
                        my = DumpReader.map(DumpReader.decode(sample, fy, where), y, true, fy, where);
                    }
                }
                out.add(RowFactory.create(r.getString(0), r.getString(1), r.getString(2), timestamp, boxed(mx.values()),
                        mx.tokens(), mx.channels(), boxed(my.values()), my.tokens(), my.channels()));
            }
        }
        return out.iterator();
    }

    private static Float[] boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

}

package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.config.JobConfig;
import org.infometer.estimate.Blas;
import org.infometer.io.FeatureInput;
import org.infometer.io.SparkSessions;
import org.infometer.progress.Progress;
import org.infometer.schema.FeatureContract;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark of the Gaussian pipeline against a bare scan of the same Parquet columns, in one Spark session.
 *
 * <p>The baseline reads every row of the contract columns and copies both float arrays out of Spark's rows: the
 * least any job that looks at every value must do. The pipeline is the measurement job as users run it (key scan,
 * fit pass, driver fit, apply pass, reduce, table writes). Each is repeated; medians and their ratio are printed.
 */
public final class Bench {

    private Bench() {
    }

    public static void run(List<String> args, PrintStream out) {
        String dir = Main.option(args, "--dir", "bench-data");
        int repeats = Main.intOption(args, "--repeats", 3);
        boolean regenerate = args.remove("--regenerate");
        // A job override to time beside the default job, alternating within the session (e.g.
        // channelMi.enabled=false for what the channel_mi table costs).
        String compare = Main.option(args, "--compare", null);
        if (!args.contains("--scale")) {
            args.addAll(List.of("--scale", "quarter-val"));
        }
        args.addAll(List.of("--out", dir));
        GenerateConfig g = Main.generateConfig(args);
        SparkSession spark = SparkSessions.create("infometer-bench");
        Progress progress = Progress.stderr();
        Path marker = Path.of(dir, "features", "_GENERATED_" + g.hashCode());
        double generateSeconds = Double.NaN;
        if (regenerate || !Files.exists(marker)) {
            long t0 = System.nanoTime();
            GenerateJob.run(spark, g, progress);
            generateSeconds = (System.nanoTime() - t0) / 1e9;
            try {
                Files.writeString(marker, g.toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        // The bench's own tables start empty on every bench: each repeat overwrites the same partition, and a
        // warehouse that had kept 160 earlier bench commits made every table commit several times slower (Iceberg
        // filters the manifests the commits accumulated), which is not what one nightly run costs.
        deleteTree(Path.of(dir, "warehouse"));
        FeatureContract contract = new FeatureContract(g.x(), g.y());
        long tokens = g.samples() * g.tokens();
        double mb = g.featureBytes() / 1e6;
        List<Double> scans = new ArrayList<>();
        List<Double> pipelines = new ArrayList<>();
        Map<String, List<Double>> phases = new LinkedHashMap<>();
        JobConfig cfg = benchConfig(dir);
        JobConfig variant = compare == null ? null : benchConfig(dir, compare);
        List<Double> variants = new ArrayList<>();
        Map<String, List<Double>> variantPhases = new LinkedHashMap<>();
        for (int i = 0; i < repeats; i++) {
            settle();
            long t0 = System.nanoTime();
            long n = bareScan(spark, dir + "/features", contract);
            scans.add((System.nanoTime() - t0) / 1e9);
            progress.info(String.format("bare scan %d: %.2f s (%,d rows)", i + 1, scans.get(i), n));
            Progress p = new Progress(System.err);
            settle();
            t0 = System.nanoTime();
            MeasureJob.run(spark, cfg, new PrintStream(PrintStream.nullOutputStream()), p);
            pipelines.add((System.nanoTime() - t0) / 1e9);
            p.stepSeconds().forEach((k, v) -> phases.computeIfAbsent(k.replaceAll(" \\(.*", ""),
                    x -> new ArrayList<>()).add(v));
            progress.info(String.format("pipeline %d: %.2f s", i + 1, pipelines.get(i)));
            if (variant != null) {
                Progress vp = new Progress(System.err);
                settle();
                t0 = System.nanoTime();
                MeasureJob.run(spark, variant, new PrintStream(PrintStream.nullOutputStream()), vp);
                variants.add((System.nanoTime() - t0) / 1e9);
                vp.stepSeconds().forEach((k, v) -> variantPhases.computeIfAbsent(k.replaceAll(" \\(.*", ""),
                        x -> new ArrayList<>()).add(v));
                progress.info(String.format("pipeline with %s %d: %.2f s", compare, i + 1, variants.get(i)));
            }
        }
        double scan = median(scans);
        double pipe = median(pipelines);
        out.println();
        out.printf("Benchmark: %,d samples x %d tokens x (%d + %d) channels = %,d tokens, %.0f MB float32; "
                        + "%d cores; %d repeats (medians)%n", g.samples(), g.tokens(), g.channelsX(), g.channelsY(),
                tokens, mb, Runtime.getRuntime().availableProcessors(), repeats);
        out.println("  BLAS: " + Blas.describe());
        if (!Double.isNaN(generateSeconds)) {
            out.printf("  generate            %8.2f s  %10.0f tokens/s  %7.1f MB/s%n", generateSeconds,
                    tokens / generateSeconds, mb / generateSeconds);
        }
        out.printf("  bare scan           %8.2f s  %10.0f tokens/s  %7.1f MB/s   runs %s%n", scan, tokens / scan,
                mb / scan, fmt(scans));
        phases.forEach((k, v) -> out.printf("    %-40s %8.2f s%n", k, median(v)));
        out.printf("  gaussian pipeline   %8.2f s  %10.0f tokens/s  %7.1f MB/s   runs %s%n", pipe, tokens / pipe,
                mb / pipe, fmt(pipelines));
        out.printf("  pipeline / scan     %8.2f x%n", pipe / scan);
        out.println("  " + org.infometer.report.PeakMemory.snapshot().describe());
        if (variant != null) {
            variantPhases.forEach((k, v) -> out.printf("    %-40s %8.2f s%n", k, median(v)));
            double vm = median(variants);
            out.printf("  pipeline with %s  %8.2f s   runs %s%n", compare, vm, fmt(variants));
            out.printf("  default / with %s  %8.3f x%n", compare, pipe / vm);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot clear the bench warehouse " + root + ": " + e.getMessage(), e);
        }
    }

    static JobConfig benchConfig(String dir, String... overrides) {
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"bench\"}");
            List<String> o = new ArrayList<>(List.of("input.features=" + dir + "/features",
                    "output.warehouse=" + dir + "/warehouse", "output.summaryDir=" + dir + "/out"));
            o.addAll(Arrays.asList(overrides));
            return JobConfig.fromTree(root, o, null, "bench");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static long bareScan(SparkSession spark, String path, FeatureContract contract) {
        spark.sparkContext().setJobDescription("infometer bench: bare scan");
        Dataset<Row> df = FeatureInput.open(spark, path, contract, null);
        return FeatureInput.internalRows(df).toJavaRDD().mapPartitions((java.util.Iterator<InternalRow> rows) -> {
            long n = 0;
            double guard = 0;
            while (rows.hasNext()) {
                InternalRow r = rows.next();
                float[] x = r.getArray(FeatureContract.X).toFloatArray();
                float[] y = r.getArray(FeatureContract.Y).toFloatArray();
                guard += x[x.length - 1] + y[0];
                n++;
            }
            return Collections.singletonList(guard == Double.MIN_VALUE ? -1 : n).iterator();
        }).reduce(Long::sum);
    }

    /**
     * Starts a timed run from a collected heap: otherwise each run pays for the garbage the one before it left (the
     * pipeline's kept moments, 770 MB on the quarter-val bench, are collected during the next scan), and
     * consecutive scans of the same files differed by half. Embedded, the driver is also the executor.
     */
    static void settle() {
        System.gc();
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static String fmt(List<Double> v) {
        return v.stream().map(d -> String.format("%.1f", d)).toList().toString();
    }
}

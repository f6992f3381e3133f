package org.infometer.importer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.job.MeasureJob;
import org.infometer.progress.Progress;
import org.infometer.schema.InputException;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DumpImportTest {

    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path index;

    @BeforeAll
    static void dumps() {
        spark = SparkTestSession.get();
        index = ExampleDumps.write(dir.resolve("dumps"));
    }

    static DumpImport.Options npz(Path indexFile, String out) {
        return new DumpImport.Options("npz", dir.resolve("dumps").toString(), indexFile.toString(),
                dir.resolve(out).toString(), "camera", "lidar", 3);
    }

    @Test
    void importedDumpsAreReadByTheMiJobAndGiveTheClosedFormMi() throws Exception {
        assertEquals(240, DumpImport.run(spark, npz(index, "features")));
        Row first = spark.read().parquet(dir.resolve("features").toString())
                .filter("sample_token = 'sample-00-000'").first();
        assertEquals(50, first.<Integer>getAs("camera_tokens"));
        assertEquals(8, first.<Integer>getAs("lidar_channels"));
        Path job = Files.writeString(dir.resolve("imported.json"), "{\"name\": \"imported\"}");
        JobConfig cfg = JobConfig.load(job, List.of("input.features=" + dir.resolve("features"),
                "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out")),
                LocalDate.of(2026, 11, 24));
        MeasureJob.run(spark, cfg, QUIET, new Progress(QUIET));
        Row run = spark.sql("SELECT * FROM im.infometer.run_mi WHERE job_name = 'imported'").first();
        assertEquals("detector_a", run.getAs("run_id"));
        assertEquals(240L, run.<Long>getAs("n_samples"));
        // The README's worked example: the closed form is the MI per token of the i.i.d. tokens the job scores,
        // and at 12,000 tokens the job's interval holds it (seeds 7-10 measured: README).
        double truth = ExampleDumps.closedFormMiBitsPerToken(8);
        assertEquals(5.8957, truth, 1e-4);
        double lo = run.getAs("mi_ci95_low_bits_per_token");
        double hi = run.getAs("mi_ci95_high_bits_per_token");
        assertTrue(lo <= truth && truth <= hi, "closed form " + truth + " outside [" + lo + ", " + hi + "], estimate "
                + run.getAs("mi_bits_per_token"));
        assertEquals("ok", run.getAs("status"), String.valueOf((Object) run.getAs("status_reason")));
        assertEquals(8.0, run.<Double>getAs("model_rank_mean"), "all 8 canonical pairs kept in every fold");
        // lidar = 0.8 camera + 0.6 noise, element by element: the imported maps keep that pairing exactly when the
        // pooled correlation of the stored values is 0.8 (96,000 pairs: SE about 0.001)
        Row r = spark.read().parquet(dir.resolve("features").toString())
                .selectExpr("posexplode(arrays_zip(camera, lidar)) AS (i, v)")
                .selectExpr("corr(v.camera, v.lidar)", "count(*)").first();
        assertEquals(96000L, r.getLong(1));
        assertEquals(0.8, r.getDouble(0), 0.02, "correlation of the imported camera and lidar values");
    }

    @Test
    void npyDumpsOneFilePerModalityImportTheSame() throws Exception {
        StringBuilder csv = new StringBuilder("run_id,scene_token,sample_token,timestamp,camera_file,lidar_file\n");
        Path npy = Files.createDirectories(dir.resolve("dumps"));
        for (String line : Files.readAllLines(index).subList(1, 25)) {
            String[] f = line.split(",");
            String stem = f[4].replace(".npz", "");
            // an .npz is a zip of .npy files: unpacking DJL's NPZ gives genuine .npy dumps
            try (ZipInputStream z = new ZipInputStream(Files.newInputStream(npy.resolve(f[4])))) {
                for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                    Files.write(npy.resolve(stem + "." + e.getName()), z.readAllBytes());
                }
            }
            csv.append(String.join(",", f[0], f[1], f[2], f[3], stem + ".camera.npy", stem + ".lidar.npy"))
                    .append('\n');
        }
        Path idx = Files.writeString(dir.resolve("npy-index.csv"), csv.toString());
        assertEquals(24, DumpImport.run(spark, new DumpImport.Options("npy", npy.toString(), idx.toString(),
                dir.resolve("features-npy").toString(), "camera", "lidar", 2)));
        Path first24 = Files.writeString(dir.resolve("first-24.csv"), String.join("\n",
                Files.readAllLines(index).subList(0, 25)) + "\n");
        DumpImport.run(spark, npz(first24, "features-ref"));
        var a = spark.read().parquet(dir.resolve("features-npy").toString());
        var b = spark.read().parquet(dir.resolve("features-ref").toString());
        assertEquals(0, a.except(b).count(), "npy rows the npz import lacks");
        assertEquals(0, b.except(a).count(), "npz rows the npy import lacks");
    }

    static String error(Path badIndex) {
        Throwable t = assertThrows(Exception.class, () -> DumpImport.run(spark, npz(badIndex, "bad-out")));
        for (; t != null; t = t.getCause()) {
            if (t instanceof InputException) {
                return t.getMessage();
            }
        }
        throw new AssertionError("no InputException in the cause chain");
    }

    /** An index of one sample whose dump holds the given arrays. */
    static Path oneSample(String name, NDArray... arrays) throws Exception {
        Files.write(dir.resolve("dumps").resolve(name + ".npz"), new NDList(arrays).encode(NDList.Encoding.NPZ));
        return Files.writeString(dir.resolve(name + ".csv"), "run_id,scene_token,sample_token,timestamp,file\n"
                + "r,scene-0," + name + ",1," + name + ".npz\n");
    }

    @Test
    void badDumpsGiveLocatedErrors() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray cam = m.create(new float[20], new Shape(5, 4));
            cam.setName("camera");
            NDArray flat = m.create(new float[20], new Shape(20));
            flat.setName("lidar");
            String shape = error(oneSample("bad-shape", cam, flat));
            assertTrue(shape.contains("bad-shape.npz array 'lidar' has shape (20), expected float32 [tokens, "
                    + "channels]") && shape.contains("sample_token bad-shape"), shape);

            String missing = error(oneSample("no-lidar", cam));
            assertTrue(missing.contains("no-lidar.npz has no array 'lidar' (arrays: [camera])"), missing);

            float[] v = new float[20];
            v[6] = Float.NaN;
            NDArray nan = m.create(v, new Shape(5, 4));
            nan.setName("lidar");
            String nanMessage = error(oneSample("with-nan", cam, nan));
            assertTrue(nanMessage.contains("with-nan.npz array 'lidar' has NaN at [1, 2], expected finite values"),
                    nanMessage);

            NDArray dbl = m.create(new double[20], new Shape(5, 4));
            dbl.setName("lidar");
            String dtype = error(oneSample("float64", cam, dbl));
            assertTrue(dtype.contains("float64.npz array 'lidar' is float64, expected float32"), dtype);
        }
        Path gone = Files.writeString(dir.resolve("gone.csv"), "run_id,scene_token,sample_token,timestamp,file\n"
                + "r,scene-0,gone,1,gone.npz\n");
        String nofile = error(gone);
        assertTrue(nofile.contains("sample_token gone: dump file ") && nofile.contains("gone.npz does not exist"),
                nofile);
        Path noColumn = Files.writeString(dir.resolve("nocol.csv"), "run_id,scene_token,sample_token,file\nr,s,t,f\n");
        String col = error(noColumn);
        assertTrue(col.contains("column 'timestamp' is missing"), col);
    }

}

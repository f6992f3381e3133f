package org.infometer.correlate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.correlate.CorrelationAnalysis.CorrelationRow;
import org.infometer.correlate.CorrelationAnalysis.Observation;
import org.infometer.correlate.stats.Correlation;
import org.infometer.correlate.stats.PValueKind;
import org.infometer.schema.SchemaCheck;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

class CorrelationAnalysisTest {

    private static final CorrelationAnalysis ANALYSIS =
            new CorrelationAnalysis(new Correlation.TestSettings(999, 400, 0.95, 0.05, 11));

    private static List<Observation> points() {
        List<Observation> obs = new ArrayList<>();
        double[] mi = {1.2, 2.5, 3.1, 4.0};
        double[] map = {0.31, 0.35, 0.42, 0.48};
        for (int r = 0; r < 4; r++) {
            obs.add(new Observation("run", "run-" + r, null, "mi_bits_per_token", mi[r], "map", map[r]));
            obs.add(new Observation("run", "run-" + r, null, "mi_bits_per_token", mi[r], "nds", 0.5));
            for (int s = 0; s < 6; s++) {
                double x = mi[r] + 0.3 * s;
                double y = s == 5 && r == 0 ? Double.NaN : 0.2 + 0.05 * r + 0.02 * s + 0.01 * ((s * 7 + r) % 3);
                obs.add(new Observation("scene", "run-" + r, "scene-" + s, "mi_bits_per_token", x, "map", y));
            }
        }
        return obs;
    }

    private static CorrelationRow row(List<CorrelationRow> rows, String level, String y, String method) {
        return rows.stream().filter(r -> r.level().equals(level) && r.yName().equals(y)
                && r.result().method().id().equals(method)).findFirst().orElseThrow();
    }

    @Test
    void fourRunsPerfectRankAgreementIsHonestlyUnderpowered() {
        List<CorrelationRow> rows = ANALYSIS.analyse(points());
        assertEquals(3 * 3, rows.size());
        CorrelationRow sp = row(rows, "run", "map", "spearman");
        assertEquals(4, sp.result().n());
        assertEquals(1.0, sp.result().coefficient(), 0);
        assertEquals(1.0 / 12, sp.result().pValue(), 1e-15);
        assertEquals(PValueKind.EXACT, sp.result().pValueKind());
        assertTrue(sp.summary().startsWith("[run] mi_bits_per_token vs map: Spearman rho = 1.000"), sp.summary());
        assertTrue(sp.summary().contains("n = 4: even a perfect rank correlation cannot reach p < 0.05 two-sided"),
                sp.summary());
    }

    @Test
    void constantAccuracyIsUndefinedWithReason() {
        CorrelationRow k = row(ANALYSIS.analyse(points()), "run", "nds", "kendall_tau_b");
        assertEquals("undefined", k.status());
        assertTrue(Double.isNaN(k.result().coefficient()));
        assertEquals("y is constant", k.note());
    }

    @Test
    void scenePointsDropNaNAndCarryThePoolingCaveat() {
        CorrelationRow p = row(ANALYSIS.analyse(points()), "scene", "map", "pearson");
        assertEquals(23, p.result().n());
        assertEquals(1, p.nDropped());
        assertEquals(PValueKind.MONTE_CARLO, p.result().pValueKind());
        assertTrue(p.note().contains("1 point(s) with a non-finite x or y left out"), p.note());
        assertTrue(p.note().contains("pool 4 runs"), p.note());
        assertTrue(p.summary().contains("Caveat:"), p.summary());
    }

    @Test
    void inputOrderDoesNotChangeResults() {
        List<Observation> shuffled = new ArrayList<>(points());
        Collections.shuffle(shuffled, new java.util.Random(3));
        List<String> a = ANALYSIS.analyse(points()).stream().map(r -> r.toRow().toString()).toList();
        List<String> b = ANALYSIS.analyse(shuffled).stream().map(r -> r.toRow().toString()).toList();
        assertEquals(a, b);
    }

    @Test
    void duplicatePointsAreRefused() {
        List<Observation> obs = new ArrayList<>(points());
        obs.add(obs.get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ANALYSIS.analyse(obs));
        assertTrue(e.getMessage().contains("duplicate point") && e.getMessage().contains("run-0"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Observation("scene", "r", null, "mi_bits_per_token", 1, "map", 1));
    }

    @Test
    void tableRoundTripMatchesTheDdl() throws IOException {
        StructType table = StructType.fromDDL(Files.readString(Path.of("data-schemas", "correlation.ddl")));
        // The stored table adds run_date, job_name, mi_job_name and mi_run_date in front.
        StructType file = new StructType(java.util.Arrays.copyOfRange(table.fields(), 4, table.fields().length));
        assertTrue(SchemaCheck.sameShape(CorrelationAnalysis.OUTPUT, file));
        SparkSession spark = SparkTestSession.get();
        List<Row> in = new ArrayList<>();
        for (Observation o : points()) {
            in.add(RowFactory.create(o.level(), o.runId(), o.sceneToken(), o.xName(), o.x(), o.yName(), o.y()));
        }
        List<Observation> back = CorrelationAnalysis.collect(spark.createDataFrame(in, CorrelationAnalysis.INPUT));
        List<CorrelationRow> rows = ANALYSIS.analyse(back);
        Dataset<Row> out = CorrelationAnalysis.toDataset(spark, rows);
        assertEquals(9, out.count());
        assertTrue(SchemaCheck.sameShape(file, out.schema()));
        assertEquals(9, CorrelationAnalysis.summaryLines(rows).size());
    }
}

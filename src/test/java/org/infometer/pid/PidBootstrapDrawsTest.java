package org.infometer.pid;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bootstrap from tables summed elsewhere ({@link PidBootstrap#draw}, {@link CellVectors},
 * {@link PidBootstrap#runOnTables}) equals the bootstrap on the samples ({@link PidBootstrap#run}), bit for bit.
 */
class PidBootstrapDrawsTest {

    @Test
    void tablesSummedWithTheDrawsGiveTheSameResultAsTheSamples() {
        SplittableRandom rng = new SplittableRandom(11);
        List<PidBootstrap.Sample> samples = new ArrayList<>();
        int[] sizes = {5, 1, 7, 3};
        for (int sc = 0; sc < sizes.length; sc++) {
            for (int i = 0; i < sizes[sc]; i++) {
                int t = rng.nextInt(30);
                int[] a = new int[t];
                int[] b = new int[t];
                int[] y = new int[t];
                for (int j = 0; j < t; j++) {
                    a[j] = rng.nextInt(3);
                    b[j] = rng.nextDouble() < 0.6 ? a[j] : rng.nextInt(3);
                    y[j] = rng.nextDouble() < 0.5 ? (a[j] + b[j]) % 2 : rng.nextInt(2);
                }
                samples.add(PidBootstrap.Sample.ofTokens("scene-" + sc, "s" + i, a, b, y));
            }
        }
        int reps = 25;
        PidBootstrap.Options options = new PidBootstrap.Options(reps, 0.9, 99L, 2);
        PidBootstrap bootstrap = new PidBootstrap(BrojaSolver.withDefaults());
        PidBootstrap.Result direct = bootstrap.run(3, 3, 2, samples, options);

        // The keys alone give the draws; the tables are summed per sample in any order.
        PidBootstrap.Draws d = PidBootstrap.draw(sizes, reps, 99L);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(3));
        CellVectors tables = new CellVectors(1 + 2 * reps);
        long tokens = 0;
        for (int i : order) {
            PidBootstrap.Sample s = samples.get(i);
            int[] m = new int[2 * reps];
            for (int r = 0; r < reps; r++) {
                m[r] = d.outer(r)[i];
                m[reps + r] = d.inner(r)[i];
            }
            for (int c = 0; c < s.counts().length; c++) {
                tables.add((s.x1()[c] * 3L + s.x2()[c]) * 2 + s.y()[c], s.counts()[c], m);
            }
            tokens += s.totalCount();
        }
        java.util.function.IntFunction<long[]> column = col -> {
            long[] t = new long[18];
            for (long cell : tables.sortedCells()) {
                t[(int) cell] = tables.count(cell, col);
            }
            return t;
        };
        PidBootstrap.Result merged = bootstrap.runOnTables(3, 3, 2, new PidBootstrap.Tables(column.apply(0),
                r -> column.apply(1 + r), r -> column.apply(1 + reps + r), samples.size(), tokens, sizes.length),
                options);

        assertEquals(direct.point(), merged.point());
        assertEquals(direct.corrected(), merged.corrected());
        assertEquals(direct.redundancyBits(), merged.redundancyBits());
        assertEquals(direct.synergyBits(), merged.synergyBits());
        assertEquals(direct.complementarity(), merged.complementarity());
        assertEquals(direct.failedReplicates(), merged.failedReplicates());
        assertEquals(direct.nTokens(), merged.nTokens());
    }

    @Test
    void mergingStatesInAnyOrderGivesTheSameTables() {
        CellVectors a = new CellVectors(3);
        CellVectors b = new CellVectors(3);
        a.add(5, 2, new int[] {1, 0});
        a.add(-7, 1, new int[] {2, 3});
        b.add(5, 4, new int[] {0, 2});
        CellVectors ab = new CellVectors(3).merge(a).merge(b);
        CellVectors ba = new CellVectors(3).merge(b).merge(a);
        for (long cell : new long[] {5, -7}) {
            for (int col = 0; col < 3; col++) {
                assertEquals(ab.count(cell, col), ba.count(cell, col));
            }
        }
        assertEquals(6, ab.count(5, 0));
        assertEquals(2, ab.count(5, 1));
        assertEquals(8, ab.count(5, 2));
        assertEquals(3, ab.count(-7, 2));
        assertEquals(List.of(-7L, 5L), java.util.Arrays.stream(ab.sortedCells()).boxed().toList());
    }
}

package org.infometer.correlate.nuscenes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks and orderings shared by ground-truth and predicted boxes. */
final class Boxes {

    private Boxes() {
    }

    static void checkGeometry(String where, double[] translation, double[] size, double[] rotation) {
        checkVector(where, "translation", translation, 3, false);
        checkVector(where, "size", size, 3, false);
        checkVector(where, "rotation", rotation, 4, false);
    }

    /** Two components, NaN allowed (unknown velocity); null becomes (NaN, NaN). */
    static double[] checkedVelocity(String where, double[] velocity) {
        double[] v = velocity == null ? new double[] {Double.NaN, Double.NaN} : velocity;
        checkVector(where, "velocity", v, 2, true);
        return v;
    }

    /** A known attribute or ""; null becomes "". */
    static String checkedAttribute(String where, String attribute) {
        String a = attribute == null ? "" : attribute;
        if (!DetectionClass.isValidAttribute(a)) {
            throw new IllegalArgumentException(where + ": unknown attribute_name '" + a + "'");
        }
        return a;
    }

    static void checkVector(String where, String field, double[] v, int length, boolean nanAllowed) {
        if (v == null) {
            throw new IllegalArgumentException(where + ": " + field + " is missing");
        }
        if (v.length != length) {
            throw new IllegalArgumentException(where + ": " + field + " must have " + length + " values, got "
                    + v.length);
        }
        for (double d : v) {
            if (Double.isInfinite(d) || (!nanAllowed && Double.isNaN(d))) {
                throw new IllegalArgumentException(where + ": " + field + " must be finite, got "
                        + Arrays.toString(v));
            }
        }
    }

    /**
     * Predictions of one sample with usable box indices. Missing indices are assigned by a content order so
     * that the result does not depend on the order rows happen to arrive in (Spark gives none).
     */
    static List<PredBox> indexedPredictions(String sampleToken, List<PredBox> preds) {
        boolean missing = preds.stream().anyMatch(p -> p.boxIndex() < 0);
        if (!missing) {
            checkUnique(sampleToken, "predicted", preds.stream().mapToInt(PredBox::boxIndex).toArray());
            return preds;
        }
        List<PredBox> sorted = new ArrayList<>(preds);
        sorted.sort(Comparator.comparingDouble(PredBox::score).reversed()
                .thenComparing(p -> p.detectionClass().ordinal())
                .thenComparing(PredBox::translation, Arrays::compare)
                .thenComparing(PredBox::size, Arrays::compare)
                .thenComparing(PredBox::rotation, Arrays::compare)
                .thenComparing(PredBox::velocity, Arrays::compare)
                .thenComparing(PredBox::attributeName));
        List<PredBox> out = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            out.add(sorted.get(i).withIndices(sorted.get(i).sampleIndex(), i));
        }
        return out;
    }

    /** Ground truth of one sample in annotation order (by box index, else by instance and position). */
    static List<GtBox> orderedGroundTruth(String sampleToken, List<GtBox> gt) {
        boolean missing = gt.stream().anyMatch(b -> b.boxIndex() < 0);
        if (!missing) {
            checkUnique(sampleToken, "ground-truth", gt.stream().mapToInt(GtBox::boxIndex).toArray());
        }
        List<GtBox> sorted = new ArrayList<>(gt);
        Comparator<GtBox> byContent = Comparator.comparing((GtBox b) -> String.valueOf(b.instanceToken()))
                .thenComparing(b -> String.valueOf(b.categoryName()))
                .thenComparing(GtBox::translation, Arrays::compare)
                .thenComparing(GtBox::size, Arrays::compare);
        sorted.sort(missing ? byContent : Comparator.comparingInt(GtBox::boxIndex));
        return sorted;
    }

    private static void checkUnique(String sampleToken, String kind, int[] indices) {
        Set<Integer> seen = new HashSet<>();
        for (int i : indices) {
            if (!seen.add(i)) {
                throw new IllegalArgumentException("sample " + sampleToken + ": " + kind + " box_index " + i
                        + " appears twice; box indices must be unique within a sample");
            }
        }
    }
}

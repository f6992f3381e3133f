package org.infometer.correlate.nuscenes;

import java.io.Serializable;

/**
 * One predicted box of a results submission.
 *
 * @param sampleIndex position of the sample in the submission's {@code results} object, or -1 when unknown.
 *     It only breaks exact score ties, where the devkit puts the later box first
 * @param boxIndex position of the box in its sample's list, or -1 when unknown (an order by content is then
 *     used)
 */
public record PredBox(String sampleToken, int sampleIndex, int boxIndex, double[] translation, double[] size,
        double[] rotation, double[] velocity, DetectionClass detectionClass, double score, String attributeName)
        implements Serializable {

    public PredBox {
        String where = "predicted box " + boxIndex + " of sample " + sampleToken;
        if (detectionClass == null) {
            throw new IllegalArgumentException(where + ": detection_name is missing");
        }
        Boxes.checkVector(where, "translation", translation, 3, false);
        Boxes.checkVector(where, "size", size, 3, false);
        Boxes.checkVector(where, "rotation", rotation, 4, false);
        if (velocity == null) {
            velocity = new double[] {Double.NaN, Double.NaN};
        }
        Boxes.checkVector(where, "velocity", velocity, 2, true);
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException(where + ": detection_score may not be NaN");
        }
        attributeName = attributeName == null ? "" : attributeName;
        if (!DetectionClass.isValidAttribute(attributeName)) {
            throw new IllegalArgumentException(where + ": unknown attribute_name '" + attributeName + "'");
        }
    }

    public PredBox withIndices(int newSampleIndex, int newBoxIndex) {
        return new PredBox(sampleToken, newSampleIndex, newBoxIndex, translation, size, rotation, velocity,
                detectionClass, score, attributeName);
    }
}

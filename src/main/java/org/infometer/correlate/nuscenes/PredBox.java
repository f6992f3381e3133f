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
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException(where + ": detection_score may not be NaN");
        }
        Boxes.checkGeometry(where, translation, size, rotation);
        velocity = Boxes.checkedVelocity(where, velocity);
        attributeName = Boxes.checkedAttribute(where, attributeName);
    }

    public PredBox withIndices(int newSampleIndex, int newBoxIndex) {
        return new PredBox(sampleToken, newSampleIndex, newBoxIndex, translation, size, rotation, velocity,
                detectionClass, score, attributeName);
    }
}

package org.infometer.correlate.nuscenes;

import java.io.Serializable;

/**
 * One keyframe of the evaluated split: its scene and the ego (LIDAR_TOP) position that class ranges are
 * measured from.
 *
 * @param egoTranslation global (x, y, z) of the ego pose of the sample's LIDAR_TOP keyframe, metres
 */
public record SampleInfo(String sampleToken, String sceneToken, double[] egoTranslation) implements Serializable {

    public SampleInfo {
        if (sampleToken == null || sampleToken.isEmpty()) {
            throw new IllegalArgumentException("sample_token must be non-empty");
        }
        Boxes.checkVector("sample " + sampleToken, "ego_pose_translation", egoTranslation, 3, false);
    }
}

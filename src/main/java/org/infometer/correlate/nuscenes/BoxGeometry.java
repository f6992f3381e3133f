package org.infometer.correlate.nuscenes;

/**
 * Box geometry as the detection evaluation defines it. Translations are global (x, y, z) in metres, sizes
 * (width, length, height), rotations unit-or-not quaternions (w, x, y, z), velocities (vx, vy).
 *
 * <p>Usage: {@code BoxGeometry.centerDistance(gt.translation(), pred.translation())}, {@code scaleIou},
 * {@code yawDiff(gt.rotation(), pred.rotation(), cls.yawPeriod())}, {@code pointInBox} for bicycle racks.
 */
public final class BoxGeometry {

    private BoxGeometry() {
    }

    /** xy distance between centres; the matching criterion and the ATE. */
    public static double centerDistance(double[] a, double[] b) {
        double dx = a[0] - b[0];
        double dy = a[1] - b[1];
        return Math.sqrt(dx * dx + dy * dy);
    }

    /** xy distance of a box centre from the ego position (the class-range filter). */
    public static double egoDistance(double[] boxTranslation, double[] egoTranslation) {
        return centerDistance(boxTranslation, egoTranslation);
    }

    /** L2 difference of two xy velocities; NaN when either is unknown. */
    public static double velocityL2(double[] a, double[] b) {
        double dx = a[0] - b[0];
        double dy = a[1] - b[1];
        return Math.sqrt(dx * dx + dy * dy);
    }

    /**
     * IoU of two boxes once centres and yaw are aligned: the intersection is the product of the smaller side
     * in each dimension.
     *
     * @throws IllegalArgumentException when a side is not positive, where the devkit asserts
     */
    public static double scaleIou(double[] gtSize, double[] predSize) {
        for (int i = 0; i < 3; i++) {
            if (!(gtSize[i] > 0) || !(predSize[i] > 0)) {
                throw new IllegalArgumentException("box sizes must be > 0 for the scale error, got ground truth "
                        + java.util.Arrays.toString(gtSize) + " and prediction " + java.util.Arrays.toString(predSize));
            }
        }
        double volGt = gtSize[0] * gtSize[1] * gtSize[2];
        double volPred = predSize[0] * predSize[1] * predSize[2];
        double inter = Math.min(gtSize[0], predSize[0]) * Math.min(gtSize[1], predSize[1])
                * Math.min(gtSize[2], predSize[2]);
        return inter / (volGt + volPred - inter);
    }

    /**
     * Yaw of the rotated x axis projected on the xy plane. Both terms scale with |q|^2, so the quaternion
     * need not be normalised.
     */
    public static double yaw(double[] q) {
        double w = q[0];
        double x = q[1];
        double y = q[2];
        double z = q[3];
        return Math.atan2(2 * (x * y + w * z), w * w + x * x - y * y - z * z);
    }

    /** |yaw difference| wrapped into [0, period / 2] (period 2 pi, or pi for symmetric barriers). */
    public static double yawDiff(double[] gtRotation, double[] predRotation, double period) {
        double diff = NumpyMath.pyMod(yaw(gtRotation) - yaw(predRotation) + period / 2, period) - period / 2;
        if (diff > Math.PI) {
            diff -= 2 * Math.PI;
        }
        return Math.abs(diff);
    }

    /**
     * Whether a point lies in a box, boundary included: its projections on the box's three edge vectors from
     * one corner fall within the edges' lengths.
     */
    public static boolean pointInBox(double[] point, double[] center, double[] size, double[] rotation) {
        double[][] r = rotationMatrix(rotation);
        double halfL = size[1] / 2;
        double halfW = size[0] / 2;
        double halfH = size[2] / 2;
        // Corner (+l/2, +w/2, +h/2) and the three edges leaving it, in the box frame.
        double[] p1 = apply(r, halfL, halfW, halfH, center);
        double[] edgeX = sub(apply(r, -halfL, halfW, halfH, center), p1);
        double[] edgeY = sub(apply(r, halfL, -halfW, halfH, center), p1);
        double[] edgeZ = sub(apply(r, halfL, halfW, -halfH, center), p1);
        double[] v = sub(point, p1);
        return within(dot(edgeX, v), dot(edgeX, edgeX)) && within(dot(edgeY, v), dot(edgeY, edgeY))
                && within(dot(edgeZ, v), dot(edgeZ, edgeZ));
    }

    private static boolean within(double projection, double length2) {
        return 0 <= projection && projection <= length2;
    }

    static double[][] rotationMatrix(double[] q) {
        double n = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        double w = q[0] / n;
        double x = q[1] / n;
        double y = q[2] / n;
        double z = q[3] / n;
        return new double[][] {
            {w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y)},
            {2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x)},
            {2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z}};
    }

    private static double[] apply(double[][] r, double a, double b, double c, double[] t) {
        return new double[] {
            r[0][0] * a + r[0][1] * b + r[0][2] * c + t[0],
            r[1][0] * a + r[1][1] * b + r[1][2] * c + t[1],
            r[2][0] * a + r[2][1] * b + r[2][2] * c + t[2]};
    }

    private static double[] sub(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    /** Quaternion (w, x, y, z) of a rotation by {@code yaw} about the z axis. */
    public static double[] yawQuaternion(double yaw) {
        return new double[] {Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)};
    }
}

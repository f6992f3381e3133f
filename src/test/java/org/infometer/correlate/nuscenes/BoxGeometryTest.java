package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BoxGeometryTest {

    @Test
    void scaleIouAlignsCentreAndYaw() {
        // (2*4*1.5) / (2*4*1.5 + 2*5*1.5 - 2*4*1.5) = 12 / 15
        assertEquals(0.8, BoxGeometry.scaleIou(new double[] {2, 4, 1.5}, new double[] {2, 5, 1.5}), 1e-15);
        // intersection 1*2*1 = 2 over 1*4*1 + 2*2*2 - 2 = 10
        assertEquals(0.2, BoxGeometry.scaleIou(new double[] {1, 4, 1}, new double[] {2, 2, 2}), 1e-15);
        assertThrows(IllegalArgumentException.class,
                () -> BoxGeometry.scaleIou(new double[] {0, 4, 1}, new double[] {2, 2, 2}));
    }

    @Test
    void yawDifferenceWrapsWithThePeriod() {
        double[] a = BoxGeometry.yawQuaternion(0.1);
        double[] b = BoxGeometry.yawQuaternion(0.1 + 3.0);
        assertEquals(3.0, BoxGeometry.yawDiff(a, b, 2 * Math.PI), 1e-12);
        assertEquals(Math.PI - 3.0, BoxGeometry.yawDiff(a, b, Math.PI), 1e-12);
        double[] c = BoxGeometry.yawQuaternion(-3.0);
        // 3.0 - (-3.0) = 6.0, the short way round is 2 pi - 6
        assertEquals(2 * Math.PI - 6.0, BoxGeometry.yawDiff(BoxGeometry.yawQuaternion(3.0), c, 2 * Math.PI), 1e-12);
        // An unnormalised quaternion has the same yaw.
        assertEquals(0.7, BoxGeometry.yaw(new double[] {3 * Math.cos(0.35), 0, 0, 3 * Math.sin(0.35)}), 1e-12);
    }

    @Test
    void pointInRotatedBoxIncludesItsBoundary() {
        double[] c = {30, 0, 0.5};
        double[] wlh = {2, 6, 1.5};
        double[] q = BoxGeometry.yawQuaternion(Math.PI / 2); // length now runs along y
        assertTrue(BoxGeometry.pointInBox(new double[] {30, 2.5, 0.5}, c, wlh, q));
        assertFalse(BoxGeometry.pointInBox(new double[] {32.5, 0, 0.5}, c, wlh, q));
        assertTrue(BoxGeometry.pointInBox(new double[] {30.9, -2.9, 1.2}, c, wlh, q));
        assertFalse(BoxGeometry.pointInBox(new double[] {30, 0, 1.3}, c, wlh, q), "above the top face");
        double[] axis = BoxGeometry.yawQuaternion(0);
        assertTrue(BoxGeometry.pointInBox(new double[] {3, 1, 0.75}, new double[] {0, 0, 0}, wlh, axis), "corner");
    }

    @Test
    void centreDistanceIgnoresHeight() {
        assertEquals(5.0, BoxGeometry.centerDistance(new double[] {0, 0, 0}, new double[] {3, 4, 100}), 0);
    }
}

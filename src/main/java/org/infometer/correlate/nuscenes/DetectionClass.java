package org.infometer.correlate.nuscenes;

import java.util.List;
import java.util.Map;

/**
 * The ten nuScenes detection classes in the devkit's order, with their evaluation ranges
 * (config {@code detection_cvpr_2019}).
 *
 * <p>Usage: {@code DetectionClass.fromName("car").rangeMeters()}; {@link #fromCategory} maps a raw annotation
 * category such as {@code vehicle.bus.rigid} to its class (or null for categories that are not evaluated).
 *
 * <p>The order matters: class means are taken in this order, as the devkit iterates its class list.
 */
public enum DetectionClass {
    CAR("car", 50),
    TRUCK("truck", 50),
    BUS("bus", 50),
    TRAILER("trailer", 50),
    CONSTRUCTION_VEHICLE("construction_vehicle", 50),
    PEDESTRIAN("pedestrian", 40),
    MOTORCYCLE("motorcycle", 40),
    BICYCLE("bicycle", 40),
    TRAFFIC_CONE("traffic_cone", 30),
    BARRIER("barrier", 30);

    /** Category of the annotations inside which bicycles and motorcycles are not evaluated. */
    public static final String BICYCLE_RACK_CATEGORY = "static_object.bicycle_rack";

    /** Attribute names a box may carry; the empty string means none. */
    public static final List<String> ATTRIBUTE_NAMES = List.of("pedestrian.moving",
            "pedestrian.sitting_lying_down", "pedestrian.standing", "cycle.with_rider", "cycle.without_rider",
            "vehicle.moving", "vehicle.parked", "vehicle.stopped");

    private static final Map<String, DetectionClass> CATEGORIES = Map.ofEntries(
            Map.entry("movable_object.barrier", BARRIER),
            Map.entry("vehicle.bicycle", BICYCLE),
            Map.entry("vehicle.bus.bendy", BUS),
            Map.entry("vehicle.bus.rigid", BUS),
            Map.entry("vehicle.car", CAR),
            Map.entry("vehicle.construction", CONSTRUCTION_VEHICLE),
            Map.entry("vehicle.motorcycle", MOTORCYCLE),
            Map.entry("human.pedestrian.adult", PEDESTRIAN),
            Map.entry("human.pedestrian.child", PEDESTRIAN),
            Map.entry("human.pedestrian.construction_worker", PEDESTRIAN),
            Map.entry("human.pedestrian.police_officer", PEDESTRIAN),
            Map.entry("movable_object.trafficcone", TRAFFIC_CONE),
            Map.entry("vehicle.trailer", TRAILER),
            Map.entry("vehicle.truck", TRUCK));

    private final String id;
    private final double rangeMeters;

    DetectionClass(String id, double rangeMeters) {
        this.id = id;
        this.rangeMeters = rangeMeters;
    }

    /** The devkit's {@code detection_name}. */
    public String id() {
        return id;
    }

    /** A box counts only if its xy distance from the ego is strictly below this. */
    public double rangeMeters() {
        return rangeMeters;
    }

    /** Barriers look the same turned by pi, so their orientation error wraps at pi. */
    public double yawPeriod() {
        return this == BARRIER ? Math.PI : 2 * Math.PI;
    }

    /** Bicycles and motorcycles are not evaluated inside bicycle racks. */
    public boolean filteredInBikeRacks() {
        return this == BICYCLE || this == MOTORCYCLE;
    }

    /** Whether the devkit reports this TP metric for this class (NaN and left out of class means otherwise). */
    public boolean hasTpMetric(TpMetric metric) {
        if (this == TRAFFIC_CONE) {
            return metric == TpMetric.TRANS || metric == TpMetric.SCALE;
        }
        if (this == BARRIER) {
            return metric != TpMetric.VEL && metric != TpMetric.ATTR;
        }
        return true;
    }

    public static DetectionClass fromName(String name) {
        DetectionClass c = fromNameOrNull(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown detection_name '" + name + "'; expected one of "
                    + List.of(values()).stream().map(DetectionClass::id).toList());
        }
        return c;
    }

    public static DetectionClass fromNameOrNull(String name) {
        for (DetectionClass c : values()) {
            if (c.id.equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The devkit's category-to-class mapping; null for categories that are not evaluated. */
    public static DetectionClass fromCategory(String category) {
        return category == null ? null : CATEGORIES.get(category);
    }

    public static boolean isValidAttribute(String attribute) {
        return attribute != null && (attribute.isEmpty() || ATTRIBUTE_NAMES.contains(attribute));
    }
}

package org.infometer.report.state;

import java.io.Serializable;
import java.util.Comparator;
import java.util.Objects;

/**
 * The group of samples one state sums: a whole run, a scene (with the run models' values, or with the scene-refit
 * values), a fold, or a run's samples scored in fold. Ordered, so the driver reads groups in a fixed order.
 */
public record GroupKey(String run, Kind kind, String scene, int fold) implements Comparable<GroupKey>, Serializable {

    public enum Kind { RUN, SCENE, ADJUSTED, FOLD, OVERFIT }

    private static final Comparator<GroupKey> ORDER = Comparator.comparing((GroupKey k) -> k.run())
            .thenComparing(k -> k.kind())
            .thenComparing(k -> k.scene(), Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .thenComparingInt(k -> k.fold());

    static GroupKey run(String run) {
        return new GroupKey(run, Kind.RUN, null, 0);
    }

    static GroupKey scene(String run, String scene) {
        return new GroupKey(run, Kind.SCENE, scene, 0);
    }

    static GroupKey adjusted(String run, String scene) {
        return new GroupKey(run, Kind.ADJUSTED, scene, 0);
    }

    static GroupKey fold(String run, int fold) {
        return new GroupKey(run, Kind.FOLD, null, fold);
    }

    static GroupKey overfit(String run) {
        return new GroupKey(run, Kind.OVERFIT, null, 0);
    }

    @Override
    public int compareTo(GroupKey o) {
        return ORDER.compare(this, o);
    }

    /**
     * From names and numbers only: an enum's own hash code differs between JVMs, and a key hashed differently on
     * two executors would land in two partitions of a shuffle and never merge.
     */
    @Override
    public int hashCode() {
        return Objects.hash(run, kind.name(), scene, fold);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupKey k && Objects.equals(run, k.run) && kind == k.kind
                && Objects.equals(scene, k.scene) && fold == k.fold;
    }
}

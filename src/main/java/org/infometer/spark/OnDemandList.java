package org.infometer.spark;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * A read-only list fetched from the executors the first time it is used, then kept: the job's result lists are
 * for callers that want them (tests, small runs); the job itself never reads them.
 */
final class OnDemandList<T> extends AbstractList<T> {

    private Supplier<List<T>> source;
    private List<T> items;

    OnDemandList(Supplier<List<T>> source) {
        this.source = source;
    }

    private synchronized List<T> items() {
        if (items == null) {
            items = Collections.unmodifiableList(new ArrayList<>(source.get()));
            source = null;
        }
        return items;
    }

    @Override
    public T get(int index) {
        return items().get(index);
    }

    @Override
    public int size() {
        return items().size();
    }
}

package org.infometer.report.state;

import org.infometer.report.SampleResult;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** A {@link PassRunner} over samples held in this JVM, in the given partitions (each summed on its own, then merged). */
public final class LocalPasses implements PassRunner {

    private final List<List<SampleResult>> partitions;

    public LocalPasses(List<List<SampleResult>> partitions) {
        this.partitions = partitions;
    }

    @Override
    public <S extends Mergeable<S>> SortedMap<GroupKey, S> run(Pass<S> pass) {
        SortedMap<GroupKey, S> out = new TreeMap<>();
        for (List<SampleResult> part : partitions) {
            Map<GroupKey, S> states = new HashMap<>();
            part.forEach(s -> pass.add(states, s));
            states.forEach((k, v) -> out.merge(k, v, Mergeable::merge));
        }
        return out;
    }
}

package org.infometer.report.state;

import org.infometer.report.SampleResult;

import java.io.Serializable;
import java.util.Map;

/**
 * One pass over the scored samples: adds a sample to the states of the groups it belongs to. Runs wherever the
 * samples are (an executor's partition, or a driver list); the states of all partitions are then merged per key.
 */
public interface Pass<S extends Mergeable<S>> extends Serializable {

    void add(Map<GroupKey, S> states, SampleResult sample);
}

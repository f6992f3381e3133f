package org.infometer.estimate;

import java.io.Serializable;

/**
 * What the driver broadcasts to executors: a small serializable description of a fitted pair model.
 * {@link #open()} materialises the model on the executor; implementations backed by native resources load
 * lazily and cache one instance per executor JVM, so repeated tasks do not reload it.
 */
public interface PairModelHandle extends Serializable {

    FittedPairModel open();
}

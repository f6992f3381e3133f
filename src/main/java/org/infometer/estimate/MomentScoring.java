package org.infometer.estimate;

/**
 * A fitted model whose codelengths of a sample are functions of the sample's {@link SampleMoments} alone (the
 * Gaussian models): the job then scores every sample from the moments its fit pass kept, without reading the
 * feature maps again.
 */
public interface MomentScoring {

    /** The same codelengths as {@link FittedPairModel#score} of the maps these moments were taken from. */
    SampleCodelengths score(SampleMoments moments);
}

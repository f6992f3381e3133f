package org.infometer.report;

import java.util.List;

/**
 * Loss of precision: how much of each modality's uncertainty is left once the other is known. H(X|Y) =
 * H(X,Y) - H(Y) and H(Y|X) = H(X,Y) - H(X) per token are differential entropies, so they move with the features'
 * units (scaling channel c of X by a adds log2|a| to H(X|Y)). Any measure that stays put when X's channels are
 * rescaled can only depend on H(X|Y) - H(X) = -I(X;Y), since both terms shift by the same log-Jacobian; the
 * normalised share is therefore a function of I and the dimension:
 * <pre>
 *   power share(X | Y) = 2^(2 (H(X|Y) - H(X)) / d_x) = 2^(-2 I / d_x)      (I in bits per token, d_x channels)
 * </pre>
 * the ratio of X's conditional to marginal entropy power per dimension. For Gaussian features it is the geometric
 * mean over X's d_x dimensions of the share of variance Y leaves unexplained, (det Sigma_X|Y / det Sigma_X)^(1/d_x):
 * 1 means Y says nothing about X, 0 that Y determines X. It is not clipped: an estimate of I below 0 gives a share
 * above 1. Its SE is the delta method's, (2 ln 2 / d) share SE(I).
 */
public final class LossOfPrecision {

    private LossOfPrecision() {
    }

    /** Power shares of X given Y and Y given X with their SEs, from an MI per token. */
    public record Shares(double xGivenY, double xGivenYSe, double yGivenX, double yGivenXSe) {
    }

    public static Shares shares(Estimate miBitsPerToken, int channelsX, int channelsY) {
        double x = share(miBitsPerToken.value(), channelsX);
        double y = share(miBitsPerToken.value(), channelsY);
        return new Shares(x, shareSe(x, miBitsPerToken.se(), channelsX), y, shareSe(y, miBitsPerToken.se(),
                channelsY));
    }

    /** 2^(-2 I / d): the conditional-to-marginal entropy power ratio per dimension. */
    public static double share(double miBitsPerToken, int dims) {
        return Math.pow(2, -2 * miBitsPerToken / dims);
    }

    static double shareSe(double share, double miSe, int dims) {
        return 2 * Math.log(2) / dims * share * miSe;
    }

    /**
     * A scene's H(X|Y) or H(Y|X) per token ({@code q} = hx_given_y or hy_given_x) from the values its MI per
     * token is aggregated from (the scene-refitted per-sample values, {@link Reductions.SceneStats#values()}),
     * with the same ratio estimator and SE over the scene's samples.
     */
    public static Estimate scenePerToken(Reductions.SceneStats scene, String q) {
        Estimate e = scene.conditionalPerToken().get(q);
        if (e == null) {
            throw new IllegalArgumentException("Unknown conditional " + q + "; one of " + CONDITIONALS);
        }
        return e;
    }

    /** The conditional entropies a scene row reports. */
    public static final List<String> CONDITIONALS = List.of("hx_given_y", "hy_given_x");
}

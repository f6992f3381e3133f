package org.infometer.pid;

import java.io.Serializable;

/**
 * The BROJA partial information decomposition of one joint distribution p(x1, x2, y), in bits, with the
 * solver's certificate.
 *
 * <p>Usage: {@code PidResult r = BrojaSolver.withDefaults().solve(p); if (r.converged()) use(r.redundancyBits());}
 * A result with {@code converged() == false} carries the solver's best iterate for diagnosis only; its
 * numbers are not final and {@link #message()} says why.
 *
 * <p>By construction the identities R + U1 + U2 + S = I(X1,X2;Y), R + U1 = I(X1;Y) and R + U2 = I(X2;Y) hold
 * up to floating-point rounding. No component is clipped: a tiny negative value (within the solver's
 * negative tolerance, 1e-12 bits by default) is rounding and is reported as computed; a more negative one
 * makes the status {@link Status#NEGATIVE_COMPONENT}.
 *
 * @param redundancyBits      R, information about Y shared by X1 and X2
 * @param uniqueX1Bits        U1 = I_q*(X1; Y | X2)
 * @param uniqueX2Bits        U2 = I_q*(X2; Y | X1)
 * @param synergyBits         S = I_p(X1,X2;Y) - I_q*(X1,X2;Y)
 * @param miX1YBits           I(X1; Y) under p
 * @param miX2YBits           I(X2; Y) under p
 * @param miJointBits         I(X1, X2; Y) under p
 * @param complementarity     1 - R / I(X1,X2;Y); NaN when I(X1,X2;Y) is zero (see {@link #complementarityNote})
 * @param complementarityNote why {@link #complementarity} is NaN, or the empty string when it is defined
 * @param dualityGapBits      certified upper bound on I_q(X1,X2;Y) - min over Δp of I(X1,X2;Y) for the
 *                            reported q: every component is within this of its exact value
 * @param feasibilityResidual largest violation of the marginal constraints q(x1,y) = p(x1,y), q(x2,y) = p(x2,y),
 *                            in probability units
 * @param iterations          interior-point iterations used (0 when the answer is closed form)
 * @param converged           true when the gap met the tolerance and every component passed the sign check
 * @param status              outcome class
 * @param message             human-readable account of the outcome
 */
public record PidResult(
        double redundancyBits,
        double uniqueX1Bits,
        double uniqueX2Bits,
        double synergyBits,
        double miX1YBits,
        double miX2YBits,
        double miJointBits,
        double complementarity,
        String complementarityNote,
        double dualityGapBits,
        double feasibilityResidual,
        int iterations,
        boolean converged,
        Status status,
        String message) implements Serializable {

    /** Below this I(X1,X2;Y) counts as zero and complementarity is undefined. */
    public static final double ZERO_INFORMATION_BITS = 1e-12;

    public enum Status {
        /** The duality gap met the tolerance. */
        CONVERGED,
        /** Closed-form answer, no optimisation needed (e.g. Y takes a single value). */
        TRIVIAL,
        /** The iteration limit was reached before the gap met the tolerance. */
        ITERATION_LIMIT,
        /** The gap stopped shrinking above the tolerance (the limit of double precision for this problem). */
        STALLED,
        /** The Newton systems became numerically singular or produced non-finite values. */
        NUMERICAL_FAILURE,
        /** The gap met the tolerance but a component is more negative than the tolerance allows. */
        NEGATIVE_COMPONENT
    }

    /** R + U1 + U2 + S; equals {@link #miJointBits} up to rounding. */
    public double totalBits() {
        return redundancyBits + uniqueX1Bits + uniqueX2Bits + synergyBits;
    }

    /** The same decomposition seen with the sources exchanged (U1 and U2, I(X1;Y) and I(X2;Y) swap). */
    public PidResult swapSources() {
        return new PidResult(redundancyBits, uniqueX2Bits, uniqueX1Bits, synergyBits, miX2YBits, miX1YBits,
                miJointBits, complementarity, complementarityNote, dualityGapBits, feasibilityResidual, iterations,
                converged, status, message);
    }

    /** Complementarity for the given terms, with the note that goes with it. */
    static double complementarityOf(double redundancyBits, double miJointBits) {
        return miJointBits > ZERO_INFORMATION_BITS ? 1.0 - redundancyBits / miJointBits : Double.NaN;
    }

    static String complementarityNoteOf(double miJointBits) {
        return miJointBits > ZERO_INFORMATION_BITS ? ""
                : "undefined: I(X1,X2;Y) = " + miJointBits + " bits is zero (below " + ZERO_INFORMATION_BITS
                + "), the sources carry no information about Y";
    }
}

package org.infometer.estimate.variational;

/** The two variational lower bounds on I(X;Y) a {@link Critic} can be trained for and evaluated with. */
public enum Bound {
    /** Donsker–Varadhan (MINE): E_P[T] - log E_{P_X x P_Y}[e^T]. */
    MINE,
    /** InfoNCE: log K + mean_i [f(x_i, y_i) - log sum_j e^{f(x_i, y_j)}]; can never exceed log K. */
    INFONCE
}

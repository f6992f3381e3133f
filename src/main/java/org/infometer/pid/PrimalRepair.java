package org.infometer.pid;

import java.util.Arrays;

/**
 * Moves a nonnegative estimate of the coupling exactly onto Δp (the cells meeting p's (x1,y) and (x2,y)
 * marginals), so that its objective is a valid upper bound on the optimum.
 */
final class PrimalRepair {

    /** Proportional-fitting passes tried before the exact spanning-tree correction. */
    static final int PASSES = 10;

    private final int na;
    private final int nb;
    private final int ny;
    private final double[] pa;
    private final double[] pb;
    private final boolean[] allowed;

    PrimalRepair(PairLayout layout) {
        this.na = layout.na;
        this.nb = layout.nb;
        this.ny = layout.ny;
        this.pa = layout.pa;
        this.pb = layout.pb;
        this.allowed = layout.allowed;
    }

    /** Proportional fitting, then the tree correction if needed; false when x could not be made feasible. */
    boolean repair(double[] x) {
        return restoreMarginals(x, PASSES) || treeCorrection(x);
    }

    /**
     * Rescales x row- and column-wise in each y-slice (iterative proportional fitting) towards the
     * marginals. Multiplicative, so x stays positive; fast unless a slice is nearly disconnected, which is
     * what boundary optima look like. Returns true once the marginals hold to rounding.
     */
    private boolean restoreMarginals(double[] x, int maxPasses) {
        double[] rows = new double[na * ny];
        double[] cols = new double[nb * ny];
        for (int pass = 0; pass < maxPasses; pass++) {
            Arrays.fill(cols, 0);
            for (int c = 0; c < na * nb; c++) {
                int b = c % nb;
                int off = c * ny;
                for (int y = 0; y < ny; y++) {
                    cols[b * ny + y] += x[off + y];
                }
            }
            for (int i = 0; i < cols.length; i++) {
                cols[i] = pb[i] > 0 ? pb[i] / cols[i] : 0;
            }
            Arrays.fill(rows, 0);
            for (int c = 0; c < na * nb; c++) {
                int a = c / nb;
                int b = c % nb;
                int off = c * ny;
                for (int y = 0; y < ny; y++) {
                    double val = x[off + y] * cols[b * ny + y];
                    x[off + y] = val;
                    rows[a * ny + y] += val;
                }
            }
            double worst = 0;
            for (int i = 0; i < rows.length; i++) {
                if (pa[i] > 0) {
                    worst = Math.max(worst, Math.abs(rows[i] - pa[i]) / pa[i]);
                    rows[i] = pa[i] / rows[i];
                } else {
                    rows[i] = 0;
                }
            }
            for (int c = 0; c < na * nb; c++) {
                int a = c / nb;
                int off = c * ny;
                for (int y = 0; y < ny; y++) {
                    x[off + y] *= rows[a * ny + y];
                }
            }
            if (worst <= 4e-16) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes x meet the marginals exactly with an additive correction carried by a maximum-weight spanning
     * tree of each slice's bipartite graph (rows a, columns b, edges = allowed cells weighted by x). On a
     * tree the correction is unique and runs through the largest cells, so a small residual stays small
     * relative to the cells it changes. Returns false, leaving x unusable, if a cell would go negative.
     */
    private boolean treeCorrection(double[] x) {
        int nodes = na + nb;
        double[] excess = new double[nodes];
        int[] parent = new int[nodes];
        int[] order = new int[nodes];
        double[] key = new double[nodes];
        boolean[] inTree = new boolean[nodes];
        for (int y = 0; y < ny; y++) {
            // Node i < na is row a = i, node na + b is column b. Excess = target - current sum.
            Arrays.fill(excess, 0);
            int active = 0;
            int root = -1;
            for (int a = 0; a < na; a++) {
                if (pa[a * ny + y] > 0) {
                    active++;
                    excess[a] = pa[a * ny + y];
                    if (root < 0 || pa[a * ny + y] > pa[root * ny + y]) {
                        root = a;
                    }
                }
            }
            for (int b = 0; b < nb; b++) {
                if (pb[b * ny + y] > 0) {
                    active++;
                    excess[na + b] = pb[b * ny + y];
                }
            }
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int i = (a * nb + b) * ny + y;
                    if (allowed[i]) {
                        excess[a] -= x[i];
                        excess[na + b] -= x[i];
                    }
                }
            }
            // Prim's algorithm on the complete bipartite graph of active rows and columns.
            Arrays.fill(inTree, false);
            Arrays.fill(key, -1.0);
            Arrays.fill(parent, -1);
            key[root] = Double.POSITIVE_INFINITY;
            for (int k = 0; k < active; k++) {
                int best = -1;
                for (int i = 0; i < nodes; i++) {
                    if (!inTree[i] && key[i] >= 0 && (best < 0 || key[i] > key[best])) {
                        best = i;
                    }
                }
                if (best < 0) {
                    return false;
                }
                inTree[best] = true;
                order[k] = best;
                if (best < na) {
                    for (int b = 0; b < nb; b++) {
                        int i = (best * nb + b) * ny + y;
                        if (allowed[i] && !inTree[na + b] && x[i] > key[na + b]) {
                            key[na + b] = x[i];
                            parent[na + b] = best;
                        }
                    }
                } else {
                    int b = best - na;
                    for (int a = 0; a < na; a++) {
                        int i = (a * nb + b) * ny + y;
                        if (allowed[i] && !inTree[a] && x[i] > key[a]) {
                            key[a] = x[i];
                            parent[a] = best;
                        }
                    }
                }
            }
            // Leaves first: each node's remaining excess flows over the edge to its parent.
            for (int k = active - 1; k > 0; k--) {
                int node = order[k];
                int par = parent[node];
                int a = node < na ? node : par;
                int b = node < na ? par - na : node - na;
                int i = (a * nb + b) * ny + y;
                double flow = excess[node];
                double val = x[i] + flow;
                if (val < 0) {
                    return false;
                }
                x[i] = val;
                excess[node] = 0;
                excess[par] -= flow;
            }
        }
        return true;
    }
}

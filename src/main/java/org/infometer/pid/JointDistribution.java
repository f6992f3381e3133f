package org.infometer.pid;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;

/**
 * A dense joint distribution p(x1, x2, y) of two discrete sources X1, X2 (e.g. camera and LiDAR cluster ids)
 * and a discrete target Y, with the classic mutual-information terms in bits.
 *
 * <p>Usage:
 * <pre>{@code
 * JointDistribution p = JointDistribution.fromCounts(counts);          // long[n1][n2][ny]
 * // or fromSparseCounts(n1, n2, ny, x1s, x2s, ys, counts) / fromCells(n1, n2, ny, cells)
 * double iX1Y = p.miX1YBits();
 * PidResult pid = BrojaSolver.withDefaults().solve(p);
 * }</pre>
 *
 * <p>Variable order is always (x1, x2, y): sources first, target last. Counts are normalised to
 * probabilities on construction; {@link #totalMass()} keeps the sum of the counts that were given (1 for
 * probabilities). Instances are immutable.
 */
public final class JointDistribution implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Upper bound on n1 * n2 * ny: the dense table and the solver's work arrays must fit in memory. */
    public static final long MAX_CELLS = 1L << 26;

    /** Probabilities given to {@link #fromProbabilities} must sum to 1 within this. */
    public static final double PROBABILITY_SUM_TOLERANCE = 1e-9;

    private static final double LN2 = Math.log(2.0);

    /** One cell of a sparse table: outcome (x1, x2, y) seen {@code count} times (or with that weight). */
    public record Cell(int x1, int x2, int y, double count) implements Serializable {
    }

    private final int n1;
    private final int n2;
    private final int ny;
    /** Row-major: index (x1 * n2 + x2) * ny + y. */
    private final double[] p;
    private final double totalMass;

    private JointDistribution(int n1, int n2, int ny, double[] p, double totalMass) {
        this.n1 = n1;
        this.n2 = n2;
        this.ny = ny;
        this.p = p;
        this.totalMass = totalMass;
    }

    // ---------------------------------------------------------------- construction

    /** From a table of counts {@code counts[x1][x2][y] >= 0}, not all zero. */
    public static JointDistribution fromCounts(long[][][] counts) {
        int[] dims = dimensions(counts == null ? null : counts, "counts");
        double[] flat = new double[cellCount(dims[0], dims[1], dims[2])];
        for (int a = 0; a < dims[0]; a++) {
            for (int b = 0; b < dims[1]; b++) {
                long[] row = counts[a][b];
                checkRow(row == null ? -1 : row.length, dims[2], "counts", a, b);
                for (int y = 0; y < dims[2]; y++) {
                    if (row[y] < 0) {
                        throw new IllegalArgumentException("counts[" + a + "][" + b + "][" + y + "] = " + row[y]
                                + " is negative; counts must be >= 0");
                    }
                    flat[(a * dims[1] + b) * dims[2] + y] = row[y];
                }
            }
        }
        return normalise(dims[0], dims[1], dims[2], flat, "counts");
    }

    /** From a table of non-negative, finite weights {@code counts[x1][x2][y]}, not all zero. */
    public static JointDistribution fromCounts(double[][][] counts) {
        return fromDoubleTable(counts, "counts");
    }

    /**
     * From probabilities {@code p[x1][x2][y]}: non-negative, finite and summing to 1 within
     * {@link #PROBABILITY_SUM_TOLERANCE} (then renormalised exactly).
     */
    public static JointDistribution fromProbabilities(double[][][] p) {
        JointDistribution d = fromDoubleTable(p, "probabilities");
        if (Math.abs(d.totalMass - 1.0) > PROBABILITY_SUM_TOLERANCE) {
            throw new IllegalArgumentException("probabilities sum to " + d.totalMass
                    + ", expected 1 within " + PROBABILITY_SUM_TOLERANCE + " (use fromCounts for unnormalised weights)");
        }
        return d;
    }

    /**
     * From a flat row-major table, index {@code (x1 * n2 + x2) * ny + y}, of non-negative weights (counts or
     * probabilities; normalised here).
     */
    public static JointDistribution fromFlat(int n1, int n2, int ny, double[] weights) {
        checkSizes(n1, n2, ny);
        if (weights == null) {
            throw new IllegalArgumentException("weights must not be null");
        }
        int cells = cellCount(n1, n2, ny);
        if (weights.length != cells) {
            throw new IllegalArgumentException("weights has length " + weights.length + ", expected n1*n2*ny = "
                    + n1 + "*" + n2 + "*" + ny + " = " + cells);
        }
        double[] flat = weights.clone();
        for (int i = 0; i < flat.length; i++) {
            checkWeight(flat[i], "weights", i / (n2 * ny), (i / ny) % n2, i % ny);
        }
        return normalise(n1, n2, ny, flat, "weights");
    }

    /**
     * From sparse triples: outcome {@code (x1[i], x2[i], y[i])} seen {@code counts[i]} times. Repeated triples
     * add up; absent ones are zero.
     */
    public static JointDistribution fromSparseCounts(int n1, int n2, int ny, int[] x1, int[] x2, int[] y,
                                                     long[] counts) {
        if (counts == null) {
            throw new IllegalArgumentException("counts must not be null");
        }
        double[] w = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("counts[" + i + "] = " + counts[i] + " is negative; counts must be >= 0");
            }
            w[i] = counts[i];
        }
        return fromSparseCounts(n1, n2, ny, x1, x2, y, w);
    }

    /** As {@link #fromSparseCounts(int, int, int, int[], int[], int[], long[])} with non-negative weights. */
    public static JointDistribution fromSparseCounts(int n1, int n2, int ny, int[] x1, int[] x2, int[] y,
                                                     double[] counts) {
        checkSizes(n1, n2, ny);
        if (x1 == null || x2 == null || y == null || counts == null) {
            throw new IllegalArgumentException("x1, x2, y and counts must not be null");
        }
        int m = counts.length;
        if (x1.length != m || x2.length != m || y.length != m) {
            throw new IllegalArgumentException("sparse arrays differ in length: x1=" + x1.length + ", x2=" + x2.length
                    + ", y=" + y.length + ", counts=" + m);
        }
        double[] flat = new double[cellCount(n1, n2, ny)];
        for (int i = 0; i < m; i++) {
            checkIndex(x1[i], n1, "x1", i);
            checkIndex(x2[i], n2, "x2", i);
            checkIndex(y[i], ny, "y", i);
            checkWeight(counts[i], "counts", x1[i], x2[i], y[i]);
            flat[(x1[i] * n2 + x2[i]) * ny + y[i]] += counts[i];
        }
        return normalise(n1, n2, ny, flat, "sparse counts");
    }

    /** From sparse {@link Cell}s; repeated cells add up. */
    public static JointDistribution fromCells(int n1, int n2, int ny, Collection<Cell> cells) {
        if (cells == null) {
            throw new IllegalArgumentException("cells must not be null");
        }
        int m = cells.size();
        int[] a = new int[m];
        int[] b = new int[m];
        int[] c = new int[m];
        double[] w = new double[m];
        int i = 0;
        for (Cell cell : cells) {
            if (cell == null) {
                throw new IllegalArgumentException("cells contains null at position " + i);
            }
            a[i] = cell.x1();
            b[i] = cell.x2();
            c[i] = cell.y();
            w[i] = cell.count();
            i++;
        }
        return fromSparseCounts(n1, n2, ny, a, b, c, w);
    }

    private static JointDistribution fromDoubleTable(double[][][] t, String what) {
        int[] dims = dimensions(t, what);
        double[] flat = new double[cellCount(dims[0], dims[1], dims[2])];
        for (int a = 0; a < dims[0]; a++) {
            for (int b = 0; b < dims[1]; b++) {
                double[] row = t[a][b];
                checkRow(row == null ? -1 : row.length, dims[2], what, a, b);
                for (int y = 0; y < dims[2]; y++) {
                    checkWeight(row[y], what, a, b, y);
                    flat[(a * dims[1] + b) * dims[2] + y] = row[y];
                }
            }
        }
        return normalise(dims[0], dims[1], dims[2], flat, what);
    }

    private static int[] dimensions(Object[] t, String what) {
        if (t == null || t.length == 0) {
            throw new IllegalArgumentException(what + " must be a non-empty [n1][n2][ny] table");
        }
        Object[] first = (Object[]) t[0];
        if (first == null || first.length == 0) {
            throw new IllegalArgumentException(what + "[0] must be a non-empty [n2][ny] table");
        }
        int n2 = first.length;
        int ny = -1;
        for (int a = 0; a < t.length; a++) {
            Object[] plane = (Object[]) t[a];
            if (plane == null || plane.length != n2) {
                throw new IllegalArgumentException(what + "[" + a + "] has " + (plane == null ? "no" : plane.length)
                        + " rows, expected n2 = " + n2 + " (the table must be rectangular)");
            }
            if (ny < 0 && plane[0] != null) {
                ny = java.lang.reflect.Array.getLength(plane[0]);
            }
        }
        if (ny <= 0) {
            throw new IllegalArgumentException(what + "[0][0] must be a non-empty array of ny target values");
        }
        checkSizes(t.length, n2, ny);
        return new int[]{t.length, n2, ny};
    }

    private static void checkRow(int length, int ny, String what, int a, int b) {
        if (length != ny) {
            throw new IllegalArgumentException(what + "[" + a + "][" + b + "] has "
                    + (length < 0 ? "no" : String.valueOf(length)) + " entries, expected ny = " + ny
                    + " (the table must be rectangular)");
        }
    }

    private static void checkSizes(int n1, int n2, int ny) {
        if (n1 < 1 || n2 < 1 || ny < 1) {
            throw new IllegalArgumentException("sizes must be >= 1, got n1=" + n1 + ", n2=" + n2 + ", ny=" + ny);
        }
        if ((long) n1 * n2 * ny > MAX_CELLS) {
            throw new IllegalArgumentException("table n1*n2*ny = " + ((long) n1 * n2 * ny) + " cells exceeds "
                    + MAX_CELLS + "; discretise more coarsely");
        }
    }

    private static int cellCount(int n1, int n2, int ny) {
        return n1 * n2 * ny;
    }

    private static void checkIndex(int v, int n, String name, int i) {
        if (v < 0 || v >= n) {
            throw new IllegalArgumentException(name + "[" + i + "] = " + v + " is outside [0, " + n + ")");
        }
    }

    private static void checkWeight(double v, String what, int a, int b, int y) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " at (x1=" + a + ", x2=" + b + ", y=" + y + ") is " + v
                    + "; values must be finite");
        }
        if (v < 0) {
            throw new IllegalArgumentException(what + " at (x1=" + a + ", x2=" + b + ", y=" + y + ") = " + v
                    + " is negative; values must be >= 0");
        }
    }

    private static JointDistribution normalise(int n1, int n2, int ny, double[] flat, String what) {
        double total = 0;
        for (double v : flat) {
            total += v;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException(what + " are all zero; a distribution needs positive total mass");
        }
        if (Double.isInfinite(total)) {
            throw new IllegalArgumentException(what + " sum to infinity; rescale the weights");
        }
        for (int i = 0; i < flat.length; i++) {
            flat[i] /= total;
        }
        return new JointDistribution(n1, n2, ny, flat, total);
    }

    // ---------------------------------------------------------------- access

    public int sizeX1() {
        return n1;
    }

    public int sizeX2() {
        return n2;
    }

    public int sizeY() {
        return ny;
    }

    /** Sum of the counts (or weights) this distribution was built from; 1 for probabilities. */
    public double totalMass() {
        return totalMass;
    }

    public double p(int x1, int x2, int y) {
        return p[(x1 * n2 + x2) * ny + y];
    }

    /** Copy of the row-major table, index {@code (x1 * n2 + x2) * ny + y}. */
    public double[] toFlatArray() {
        return p.clone();
    }

    /** Number of cells with positive probability. */
    public int supportSize() {
        int k = 0;
        for (double v : p) {
            if (v > 0) {
                k++;
            }
        }
        return k;
    }

    /** p(x1, y) as {@code [n1][ny]}. */
    public double[][] marginalX1Y() {
        double[][] m = new double[n1][ny];
        for (int a = 0; a < n1; a++) {
            for (int b = 0; b < n2; b++) {
                int off = (a * n2 + b) * ny;
                for (int y = 0; y < ny; y++) {
                    m[a][y] += p[off + y];
                }
            }
        }
        return m;
    }

    /** p(x2, y) as {@code [n2][ny]}. */
    public double[][] marginalX2Y() {
        double[][] m = new double[n2][ny];
        for (int a = 0; a < n1; a++) {
            for (int b = 0; b < n2; b++) {
                int off = (a * n2 + b) * ny;
                for (int y = 0; y < ny; y++) {
                    m[b][y] += p[off + y];
                }
            }
        }
        return m;
    }

    /** p(x1, x2) as {@code [n1][n2]}. */
    public double[][] marginalX1X2() {
        double[][] m = new double[n1][n2];
        for (int a = 0; a < n1; a++) {
            for (int b = 0; b < n2; b++) {
                int off = (a * n2 + b) * ny;
                double s = 0;
                for (int y = 0; y < ny; y++) {
                    s += p[off + y];
                }
                m[a][b] = s;
            }
        }
        return m;
    }

    public double[] marginalY() {
        double[] m = new double[ny];
        for (int i = 0; i < p.length; i++) {
            m[i % ny] += p[i];
        }
        return m;
    }

    public double[] marginalX1() {
        return rowSums(marginalX1Y());
    }

    public double[] marginalX2() {
        return rowSums(marginalX2Y());
    }

    private static double[] rowSums(double[][] m) {
        double[] r = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (double v : m[i]) {
                r[i] += v;
            }
        }
        return r;
    }

    // ---------------------------------------------------------------- information terms (bits)

    /** H(Y) in bits. */
    public double entropyYBits() {
        return entropyBits(marginalY());
    }

    /** I(X1; Y) in bits. */
    public double miX1YBits() {
        return miBits(marginalX1Y(), marginalY());
    }

    /** I(X2; Y) in bits. */
    public double miX2YBits() {
        return miBits(marginalX2Y(), marginalY());
    }

    /** I(X1, X2; Y) in bits. */
    public double miJointBits() {
        double[][] pairs = marginalX1X2();
        double[] py = marginalY();
        double sum = 0;
        for (int a = 0; a < n1; a++) {
            for (int b = 0; b < n2; b++) {
                int off = (a * n2 + b) * ny;
                double pab = pairs[a][b];
                for (int y = 0; y < ny; y++) {
                    double v = p[off + y];
                    if (v > 0) {
                        sum += v * Math.log(v / (pab * py[y]));
                    }
                }
            }
        }
        return Math.max(0.0, sum / LN2);
    }

    /** H(Y | X1, X2) in bits. */
    public double conditionalEntropyYGivenSourcesBits() {
        double sum = 0;
        for (int c = 0; c < n1 * n2; c++) {
            int off = c * ny;
            double s = 0;
            for (int y = 0; y < ny; y++) {
                s += p[off + y];
            }
            for (int y = 0; y < ny; y++) {
                double v = p[off + y];
                if (v > 0) {
                    sum -= v * Math.log(v / s);
                }
            }
        }
        return Math.max(0.0, sum / LN2);
    }

    static double entropyBits(double[] dist) {
        double h = 0;
        for (double v : dist) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return Math.max(0.0, h / LN2);
    }

    private static double miBits(double[][] pxy, double[] py) {
        double sum = 0;
        for (double[] row : pxy) {
            double px = 0;
            for (double v : row) {
                px += v;
            }
            for (int y = 0; y < row.length; y++) {
                double v = row[y];
                if (v > 0) {
                    sum += v * Math.log(v / (px * py[y]));
                }
            }
        }
        // Mutual information is non-negative; a result of -1e-17 is rounding in the sum, not information.
        return Math.max(0.0, sum / LN2);
    }

    // ---------------------------------------------------------------- transforms

    /** The same distribution with the roles of X1 and X2 exchanged: q(x2, x1, y) = p(x1, x2, y). */
    public JointDistribution swapSources() {
        double[] q = new double[p.length];
        for (int a = 0; a < n1; a++) {
            for (int b = 0; b < n2; b++) {
                System.arraycopy(p, (a * n2 + b) * ny, q, (b * n1 + a) * ny, ny);
            }
        }
        return new JointDistribution(n2, n1, ny, q, totalMass);
    }

    /**
     * Renames values: outcome (x1, x2, y) becomes (perm1[x1], perm2[x2], permY[y]). Each argument must be a
     * permutation of its alphabet. Every information measure is invariant under this.
     */
    public JointDistribution relabel(int[] perm1, int[] perm2, int[] permY) {
        checkPermutation(perm1, n1, "perm1");
        checkPermutation(perm2, n2, "perm2");
        checkPermutation(permY, ny, "permY");
        double[] q = new double[p.length];
        for (int a = 0; a < n1; a++) {
            for (int b = 0; b < n2; b++) {
                for (int y = 0; y < ny; y++) {
                    q[(perm1[a] * n2 + perm2[b]) * ny + permY[y]] = p[(a * n2 + b) * ny + y];
                }
            }
        }
        return new JointDistribution(n1, n2, ny, q, totalMass);
    }

    private static void checkPermutation(int[] perm, int n, String name) {
        if (perm == null || perm.length != n) {
            throw new IllegalArgumentException(name + " must be a permutation of 0.." + (n - 1) + ", got length "
                    + (perm == null ? "null" : perm.length));
        }
        boolean[] seen = new boolean[n];
        for (int v : perm) {
            if (v < 0 || v >= n || seen[v]) {
                throw new IllegalArgumentException(name + " is not a permutation of 0.." + (n - 1) + ": "
                        + Arrays.toString(perm));
            }
            seen[v] = true;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JointDistribution other)) {
            return false;
        }
        return n1 == other.n1 && n2 == other.n2 && ny == other.ny && Arrays.equals(p, other.p);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * n1 + n2) + ny) + Arrays.hashCode(p);
    }

    @Override
    public String toString() {
        return "JointDistribution[n1=" + n1 + ", n2=" + n2 + ", ny=" + ny + ", support=" + supportSize()
                + ", totalMass=" + totalMass + "]";
    }
}

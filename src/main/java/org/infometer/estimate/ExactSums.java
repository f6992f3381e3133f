package org.infometer.estimate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A vector of sums kept in 128-bit fixed point with a quantum of 2^-48, so that adding the same terms in any
 * order, on any partitioning, gives bit-identical totals (floating-point sums do not). Each added term is
 * rounded once, deterministically, when it enters; integer addition is then associative and commutative.
 *
 * <p>Algebra: {@code empty(n)} is the identity of {@link #merge}; merge is associative and commutative.
 * Range: terms up to 2^78 in magnitude (about 3e23), totals up to 2^79 (an overflow throws instead of
 * wrapping around); resolution about 3.6e-15 absolute per added term.
 */
public final class ExactSums implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final int FRACTION_BITS = 48;
    private static final double SCALE = Math.scalb(1.0, FRACTION_BITS);
    private static final double TWO_64 = Math.scalb(1.0, 64);
    private static final double MAX_TERM = Math.scalb(1.0, 78);
    private static final double FAST_TERM = Math.scalb(1.0, 14);

    private final long[] hi;
    private final long[] lo;
    /**
     * Bulk-added small terms not yet carried into (hi, lo): each term q (|q| < 2^62) is split exactly into its low
     * 32 bits (unsigned, summed in pendingLow) and the rest (signed, summed in pendingHigh), so that a term costs two
     * plain additions instead of a 128-bit one with carry and overflow checks. One {@link #add} call adds at most
     * one term per entry, so 2^30 calls fit both words; every read carries them over first. The totals are the
     * same integers either way: integer addition is exact and associative.
     */
    private transient long[] pendingLow;
    private transient long[] pendingHigh;
    private transient int pendingCalls;
    private static final int MAX_PENDING_CALLS = 1 << 30;

    public ExactSums(int size) {
        hi = new long[size];
        lo = new long[size];
    }

    public int size() {
        return hi.length;
    }

    /** Adds {@code values[i]} to entry {@code offset + i}. */
    public void add(double[] values, int offset, int count) {
        if (pendingLow == null) {
            pendingLow = new long[hi.length];
            pendingHigh = new long[hi.length];
        }
        long[] pl = pendingLow;
        long[] ph = pendingHigh;
        pendingCalls++;
        for (int i = 0; i < count; i++) {
            double v = values[i];
            double a = Math.abs(v);
            if (a < FAST_TERM) {
                // The same rounding (toward zero) as addTerm's paths.
                long q = (long) (a * SCALE);
                long l = v < 0 ? -q : q;
                pl[offset + i] += l & 0xFFFFFFFFL;
                ph[offset + i] += l >> 32;
            } else {
                addTerm(offset + i, v);
            }
        }
        if (pendingCalls >= MAX_PENDING_CALLS) {
            carryPending();
        }
    }

    /**
     * Carries the pending bulk terms into the 128-bit totals (overflow throws as in {@link #addTerm}). Every read
     * calls it, so it is synchronized: a state read by several threads at once (the driver's fits) carries once.
     */
    private void carryPending() {
        if (pendingCalls != 0) {
            carryPendingLocked();
        }
    }

    private synchronized void carryPendingLocked() {
        if (pendingCalls == 0) {
            return;
        }
        long[] pl = pendingLow;
        long[] ph = pendingHigh;
        for (int i = 0; i < hi.length; i++) {
            long low = pl[i];
            long high = ph[i];
            if (low == 0 && high == 0) {
                continue;
            }
            // The pending value high * 2^32 + low (low >= 0) as a 128-bit (h, l).
            long l = high << 32;
            long h = high >> 32;
            long nl = l + low;
            h += Long.compareUnsigned(nl, l) < 0 ? 1 : 0;
            long sum = lo[i] + nl;
            long carry = Long.compareUnsigned(sum, lo[i]) < 0 ? 1 : 0;
            hi[i] = addHigh(hi[i], h, carry, i);
            lo[i] = sum;
            pl[i] = 0;
            ph[i] = 0;
        }
        pendingCalls = 0;
    }

    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
        carryPending();
        out.defaultWriteObject();
    }

    public void addTerm(int index, double v) {
        double a = Math.abs(v);
        if (a < FAST_TERM) {
            // The common case: |v| 2^48 fits the low word, so the high word is the sign extension. Same rounding
            // (toward zero) and the same bits as the general path below, at a fraction of its cost.
            long q = (long) (a * SCALE);
            long l = v < 0 ? -q : q;
            long old = lo[index];
            long nl = old + l;
            long carry = Long.compareUnsigned(nl, old) < 0 ? 1 : 0;
            hi[index] = addHigh(hi[index], l >> 63, carry, index);
            lo[index] = nl;
            return;
        }
        if (!(a < MAX_TERM)) {
            throw new ArithmeticException("Sum term " + v + " is not finite or exceeds the fixed-point range 2^78");
        }
        // Split |v| * 2^48 into a 128-bit integer: the high word holds floor(|v| / 2^16), the low word the rest.
        double scaled = Math.abs(v) * SCALE;
        double high = Math.floor(scaled / TWO_64);
        double rest = scaled - high * TWO_64;           // exact: both are multiples of the same binade
        long h = (long) high;
        long l = rest >= 0x1p63 ? (long) (rest - TWO_64) : (long) rest;
        if (v < 0) {
            // two's complement negation of the 128-bit value (h, l)
            l = ~l + 1;
            h = ~h + (l == 0 ? 1 : 0);
        }
        long nl = lo[index] + l;
        long carry = Long.compareUnsigned(nl, lo[index]) < 0 ? 1 : 0;
        hi[index] = addHigh(hi[index], h, carry, index);
        lo[index] = nl;
    }

    /**
     * The high word of a 128-bit sum. A total beyond 2^79 would wrap around silently and turn a large sum into a
     * wrong one of either sign, so it fails instead (the row validator keeps feature values small enough that
     * real runs never get here).
     */
    private static long addHigh(long a, long b, long carry, int index) {
        try {
            return Math.addExact(Math.addExact(a, b), carry);
        } catch (ArithmeticException e) {
            throw new ArithmeticException("Sum " + index + " overflows the fixed-point range 2^79 (terms are "
                    + "products of feature values; see RowValidator.MAX_ABS_VALUE)");
        }
    }

    public void merge(ExactSums other) {
        if (other.size() != size()) {
            throw new IllegalArgumentException("Cannot merge sums of size " + other.size() + " into size " + size());
        }
        carryPending();
        other.carryPending();
        for (int i = 0; i < hi.length; i++) {
            long nl = lo[i] + other.lo[i];
            long carry = Long.compareUnsigned(nl, lo[i]) < 0 ? 1 : 0;
            hi[i] = addHigh(hi[i], other.hi[i], carry, i);
            lo[i] = nl;
        }
    }

    public double get(int index) {
        carryPending();
        long h = hi[index];
        long l = lo[index];
        // value = (h * 2^64 + unsigned(l)) / 2^48
        double low = (l >>> 1) * 2.0 + (l & 1L);
        return Math.scalb((double) h, 64 - FRACTION_BITS) + Math.scalb(low, -FRACTION_BITS);
    }

    public double[] toDoubles() {
        double[] out = new double[hi.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    public ExactSums copy() {
        carryPending();
        ExactSums c = new ExactSums(size());
        System.arraycopy(hi, 0, c.hi, 0, hi.length);
        System.arraycopy(lo, 0, c.lo, 0, lo.length);
        return c;
    }

    /** Bytes {@link #write(java.nio.ByteBuffer)} takes. */
    int encodedSize() {
        return 4 + 16 * hi.length;
    }

    /** Big-endian: the entry count, then each entry's high and low word. */
    void write(java.nio.ByteBuffer out) {
        carryPending();
        out.putInt(hi.length);
        for (int i = 0; i < hi.length; i++) {
            out.putLong(hi[i]);
            out.putLong(lo[i]);
        }
    }

    static ExactSums read(java.nio.ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || (long) n * 16 > in.remaining()) {
            throw new IllegalArgumentException("Truncated sums: " + n + " entries declared, " + in.remaining()
                    + " bytes left");
        }
        ExactSums s = new ExactSums(n);
        for (int i = 0; i < n; i++) {
            s.hi[i] = in.getLong();
            s.lo[i] = in.getLong();
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ExactSums e)) {
            return false;
        }
        carryPending();
        e.carryPending();
        return Arrays.equals(hi, e.hi) && Arrays.equals(lo, e.lo);
    }

    @Override
    public int hashCode() {
        carryPending();
        return 31 * Arrays.hashCode(hi) + Arrays.hashCode(lo);
    }
}

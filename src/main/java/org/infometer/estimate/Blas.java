package org.infometer.estimate;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The BLAS and LAPACK every numeric pass uses, chosen once per JVM (driver and each executor alike).
 *
 * <p>netlib's loader takes whatever {@code libblas.so.3} the system resolves as "the native BLAS". On Debian
 * that is often the reference (unoptimised) netlib BLAS, pulled in as a dependency of many numeric packages; with
 * it the Gaussian pipeline ran 13x slower than a bare scan. So {@code auto} mode takes the OpenBLAS that ships in
 * the jar ({@link BundledOpenBlas}, linux-x86_64), one thread per task, whatever the system has installed: the
 * same library in every machine state, hence the same speed and the same tables. Where it cannot load (another
 * platform), an optimised system library (OpenBLAS, MKL, BLIS, ATLAS, or any libblas.so.3 that is not the
 * reference one, judged by its path before anything is loaded) is used, otherwise the Java BLAS and LAPACK.
 * {@link #describe()} says which and why. {@code -Dinfometer.blas=auto|bundled|java|native} overrides
 * (spark.driver/executor.extraJavaOptions on a cluster); a user who points netlib at a library of their own
 * ({@code -Ddev.ludovic.netlib.blas.nativeLibPath}) keeps it.
 */
public final class Blas {

    /** What a native BLAS library is, from its resolved path. */
    public enum Kind {
        OPENBLAS, MKL, BLIS, ATLAS, REFERENCE, OTHER
    }

    private record Choice(BLAS blas, LAPACK lapack, String description) {
    }

    private static final Choice CHOICE = choose(System.getProperty("infometer.blas", "auto"));

    private Blas() {
    }

    public static BLAS blas() {
        return CHOICE.blas();
    }

    public static LAPACK lapack() {
        return CHOICE.lapack();
    }

    /** Whether the LAPACK in use is a native library (reentrant, unlike the Java LAPACK's Fortran statics). */
    public static boolean isNativeLapack() {
        return CHOICE.lapack() instanceof dev.ludovic.netlib.lapack.NativeLAPACK;
    }

    /** Whether the BLAS in use is a native library (its level-3 kernels take either layout at full speed). */
    public static boolean isNative() {
        return CHOICE.blas() instanceof NativeBLAS;
    }

    /**
     * Loads the chosen BLAS now, if it is not loaded yet. Every use of a native engine (PyTorch) calls this
     * first, because the order in which a JVM loads the two changes results: measured on the cluster test's flow
     * run, a JVM that loaded PyTorch before the bundled OpenBLAS (a cluster executor trains a flow model before
     * it touches the BLAS) wrote other values for one fold's samples (from the 6th digit, one fold in three) than a
     * JVM that loaded the BLAS first (the embedded driver). With one order in every JVM, cluster and embedded
     * tables agree to the last bit (ClusterIT).
     */
    public static void loadBeforeNativeEngines() {
        // Nothing to do here: calling any static method runs the class initialiser, which loads the choice.
    }

    /** One line naming the BLAS in use and why (for progress logs, summaries and benchmarks). */
    public static String describe() {
        return CHOICE.description();
    }

    private static Choice choose(String mode) {
        String m = mode.toLowerCase(Locale.ROOT);
        if (!List.of("auto", "java", "native", "bundled").contains(m)) {
            throw new IllegalArgumentException("-Dinfometer.blas must be auto, bundled, java or native, got " + mode);
        }
        if (m.equals("java")) {
            return java("forced by -Dinfometer.blas=java");
        }
        // netlib keeps the first library it loads for the life of the JVM, so the system's libblas.so.3 is judged
        // by its path before anything is loaded, so a reference library it finds is never loaded; the check of the
        // mapped libraries below still catches one the search did not find.
        Path system = SystemBlasLocator.resolve(System.getenv("LD_LIBRARY_PATH"));
        Kind systemKind = system == null ? null : classify(system);
        boolean systemIsFast = systemKind != null && systemKind != Kind.REFERENCE;
        if (m.equals("bundled") || m.equals("auto")) {
            Choice bundled = bundled(m);
            if (bundled != null) {
                return bundled;
            }
            if (m.equals("bundled")) {
                throw new IllegalStateException("-Dinfometer.blas=bundled: the bundled OpenBLAS could not be loaded on "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                        + " (it ships for linux-x86_64 only)");
            }
        }
        if (m.equals("auto") && !systemIsFast && !userChoseLibrary()) {
            return java(system == null ? "no bundled OpenBLAS for this platform and no system BLAS"
                    : "no bundled OpenBLAS for this platform, and the system BLAS " + system
                    + " is the reference implementation, several times slower; ignored (install OpenBLAS)");
        }
        BLAS found = BLAS.getInstance();
        if (!(found instanceof NativeBLAS)) {
            return java("no native BLAS found and no bundled OpenBLAS for this platform");
        }
        // netlib loads one libblas.so.3; other BLAS-like libraries in the process (an MKL inside another native
        // engine) do not serve its calls. A mapped reference libblas is therefore the one in use.
        List<Path> libraries = loadedBlasLibraries(readMaps());
        Kind kind = Kind.OTHER;
        for (Path p : libraries) {
            Kind k = classify(p);
            if (k == Kind.REFERENCE || kind == Kind.OTHER) {
                kind = k;
            }
            if (k == Kind.REFERENCE) {
                break;
            }
        }
        String where = libraries.isEmpty() ? "library path unknown" : libraries.toString();
        if (kind == Kind.REFERENCE && m.equals("auto")) {
            return java("the native BLAS is the reference implementation " + where + ", several times slower; "
                    + "ignored (install OpenBLAS, or -Dinfometer.blas=native to use it anyway)");
        }
        return new Choice(found, LAPACK.getInstance(), String.format(Locale.ROOT, "native %s %s (%s)",
                kind.name().toLowerCase(Locale.ROOT), where, found.getClass().getSimpleName()));
    }

    /**
     * The OpenBLAS in the jar, or null where it cannot be loaded. In {@code auto} mode it comes before any system
     * library: the same library whatever the machine has installed (none, the reference libblas3, a distribution's
     * OpenBLAS) gives the same speed and the same tables in every machine state.
     */
    private static Choice bundled(String mode) {
        Path bundled = BundledOpenBlas.extract();
        if (bundled == null || userChoseLibrary()) {
            return null;
        }
        System.setProperty("dev.ludovic.netlib.blas.nativeLibPath", bundled.toString());
        System.setProperty("dev.ludovic.netlib.lapack.nativeLibPath", bundled.toString());
        BLAS found = BLAS.getInstance();
        if (!(found instanceof NativeBLAS) || !loadedBlasLibraries(readMaps()).contains(bundled)) {
            // netlib fell back to its Java BLAS: keep its choice but drop the paths, so its LAPACK matches.
            System.clearProperty("dev.ludovic.netlib.blas.nativeLibPath");
            System.clearProperty("dev.ludovic.netlib.lapack.nativeLibPath");
            return null;
        }
        String threads = BundledOpenBlas.singleThreaded();
        return new Choice(found, LAPACK.getInstance(), String.format(Locale.ROOT,
                "bundled OpenBLAS %s (org.bytedeco:openblas; %s; %s; -Dinfometer.blas=%s)", BundledOpenBlas.VERSION,
                bundled, threads, mode));
    }

    /** Prints the BLAS this JVM would use (e.g. {@code java -Dinfometer.blas=bundled -cp ... Blas}). */
    public static void main(String[] args) {
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] g = new float[4];
        blas().sgemm("N", "T", 2, 2, 3, 1f, x, 2, x, 2, 0f, g, 2);
        System.out.println(describe());
        System.out.println("sgemm check: " + g[0] + " " + g[1] + " " + g[2] + " " + g[3]);
    }

    /** A user who points netlib at a library of their own keeps it. */
    private static boolean userChoseLibrary() {
        return System.getProperty("dev.ludovic.netlib.blas.nativeLibPath") != null
                || System.getProperty("dev.ludovic.netlib.blas.nativeLib") != null;
    }

    private static Choice java(String why) {
        BLAS b = JavaBLAS.getInstance();
        return new Choice(b, JavaLAPACK.getInstance(), "Java " + b.getClass().getSimpleName() + ": " + why);
    }

    static String readMaps() {
        try {
            return Files.readString(Path.of("/proc/self/maps"));
        } catch (IOException | RuntimeException e) {
            return "";   // not Linux: the path is unknown, the library is still used
        }
    }

    /** Resolved paths of the BLAS-like shared libraries mapped into this process, sorted. */
    static List<Path> loadedBlasLibraries(String maps) {
        TreeSet<String> paths = new TreeSet<>();
        for (String line : maps.split("\n")) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String path = line.substring(slash).strip();
            String name = Path.of(path).getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.startsWith("libblas") || name.contains("openblas") || name.startsWith("libmkl_core")
                    || name.startsWith("libblis") || name.startsWith("libsatlas") || name.startsWith("libtatlas")) {
                paths.add(path);
            }
        }
        List<Path> out = new ArrayList<>();
        for (String p : paths) {
            Path path = Path.of(p);
            try {
                out.add(path.toRealPath());
            } catch (IOException e) {
                out.add(path);
            }
        }
        return out;
    }

    /** Debian and Ubuntu keep the reference BLAS under .../blas/ and the optimised ones under their own names. */
    static Kind classify(Path library) {
        String p = library.toString().toLowerCase(Locale.ROOT);
        if (p.contains("openblas")) {
            return Kind.OPENBLAS;
        }
        if (p.contains("mkl")) {
            return Kind.MKL;
        }
        if (p.contains("blis")) {
            return Kind.BLIS;
        }
        if (p.contains("atlas")) {
            return Kind.ATLAS;
        }
        Path parent = library.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("blas")
                && library.getFileName().toString().startsWith("libblas")) {
            return Kind.REFERENCE;
        }
        return Kind.OTHER;
    }
}

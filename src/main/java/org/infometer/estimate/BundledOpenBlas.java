package org.infometer.estimate;

import org.bytedeco.javacpp.Loader;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

/**
 * The OpenBLAS shipped in the job's jar (org.bytedeco:openblas, linux-x86_64 natives), so a machine with no BLAS
 * or only the reference one still gets an optimised BLAS and LAPACK: measured 3.4x faster than the Vector-API
 * Java BLAS on the 900 x 512 Gram and 2.8x on the PID solver's dgemm (docs/PERFORMANCE.md).
 *
 * <p>JavaCPP copies the library and the runtime it links (gfortran, quadmath, gcc_s; found through its
 * {@code $ORIGIN} run path) from the class path into its cache directory ({@code ~/.javacpp/cache}, or
 * {@code -Dorg.bytedeco.javacpp.cachedir}); nothing is downloaded. netlib then opens that file in place of the
 * system's libblas.so.3. Threads: one per task, because Spark already runs one task per core and because OpenBLAS's
 * threaded kernels sum in an order that depends on the thread count (measured: sgemv("T") with two threads gave
 * other bits than with one), so tables would depend on the executor's core count. OpenBLAS reads
 * {@code OPENBLAS_NUM_THREADS} at load (submit.sh, the cluster profiles and the test build set it to 1); a JVM
 * started without it is set to one thread through the library's own call ({@link #singleThreaded()}).
 */
final class BundledOpenBlas {

    /** The artifact's own version (from its Maven metadata), so the description cannot drift from the pom. */
    static final String VERSION = artifactVersion();

    private static final String PLATFORM_DIR = "linux-x86_64/";
    private static final List<String> RUNTIME = List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5");
    private static final String LIBRARY = "libopenblas.so.0";

    private BundledOpenBlas() {
    }

    private static String artifactVersion() {
        try (java.io.InputStream in = BundledOpenBlas.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.bytedeco/openblas/pom.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                return p.getProperty("version", "(version unknown)");
            }
        } catch (java.io.IOException e) {
            // fall through: the library is still usable, only its label is unknown
        }
        return "(version unknown)";
    }

    /**
     * Makes sure the loaded library runs one thread; says how. Without {@code OPENBLAS_NUM_THREADS=1} in the
     * environment this loads JavaCPP's JNI wrapper (about 0.2 s, once per JVM) to call
     * {@code openblas_set_num_threads(1)} on the library netlib opened (the same file, hence the same instance).
     */
    static String singleThreaded() {
        String env = System.getenv("OPENBLAS_NUM_THREADS");
        if ("1".equals(env)) {
            return "1 thread (OPENBLAS_NUM_THREADS=1)";
        }
        try {
            Class<?> api = Class.forName("org.bytedeco.openblas.global.openblas_full", true,
                    BundledOpenBlas.class.getClassLoader());
            int before = (int) api.getMethod("openblas_get_num_threads").invoke(null);
            api.getMethod("openblas_set_num_threads", int.class).invoke(null, 1);
            int after = (int) api.getMethod("openblas_get_num_threads").invoke(null);
            if (after != 1) {
                throw new IllegalStateException("openblas_set_num_threads(1) left " + after + " threads");
            }
            return "1 thread (set from " + before + "; OPENBLAS_NUM_THREADS was " + (env == null ? "unset" : env)
                    + ")";
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new IllegalStateException("the bundled OpenBLAS could not be set to one thread (" + e
                    + "); set OPENBLAS_NUM_THREADS=1 in the environment of every JVM (spark.executorEnv."
                    + "OPENBLAS_NUM_THREADS=1 on a cluster), or choose -Dinfometer.blas=java", e);
        }
    }

    /** The extracted library's real path, or null where this platform has no bundled build or extraction failed. */
    static Path extract() {
        if (!Loader.getPlatform().equals("linux-x86_64")) {
            return null;
        }
        try {
            // Not initialised: its static block would load the 24 MB JNI wrapper, which netlib does not need.
            Class<?> anchor = Class.forName("org.bytedeco.openblas.global.openblas", false,
                    BundledOpenBlas.class.getClassLoader());
            for (String lib : RUNTIME) {
                Loader.cacheResource(anchor, PLATFORM_DIR + lib);
            }
            File f = Loader.cacheResource(anchor, PLATFORM_DIR + LIBRARY);
            return f == null ? null : f.toPath().toRealPath();
        } catch (Exception | LinkageError e) {
            return null;
        }
    }
}

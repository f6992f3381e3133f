package org.infometer.estimate;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlasTest {

    @Test
    void classifiesTheDebianAndUbuntuAlternatives() {
        assertEquals(Blas.Kind.REFERENCE, Blas.classify(Path.of("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0")));
        assertEquals(Blas.Kind.REFERENCE, Blas.classify(Path.of("/usr/lib/aarch64-linux-gnu/blas/libblas.so.3")));
        assertEquals(Blas.Kind.OPENBLAS,
                Blas.classify(Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3")));
        assertEquals(Blas.Kind.OPENBLAS, Blas.classify(Path.of("/opt/OpenBLAS/lib/libopenblas.so.0")));
        assertEquals(Blas.Kind.MKL, Blas.classify(Path.of("/opt/intel/oneapi/mkl/lib/libmkl_rt.so.2")));
        assertEquals(Blas.Kind.BLIS, Blas.classify(Path.of("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3")));
        assertEquals(Blas.Kind.ATLAS, Blas.classify(Path.of("/usr/lib/x86_64-linux-gnu/atlas/libblas.so.3")));
        assertEquals(Blas.Kind.OTHER, Blas.classify(Path.of("/opt/vendor/lib/libblas.so.3")));
    }

    @Test
    void findsBlasLibrariesInAProcessMap() {
        String maps = """
                7f00 r-xp 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0
                7f01 r--p 00001000 08:01 123 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0
                7f02 r-xp 00000000 08:01 124 /tmp/jniloader123/libnetlibblasjni.so
                7f03 r-xp 00000000 08:01 125 /usr/lib/x86_64-linux-gnu/libgfortran.so.5.0.0
                7f04 rw-p 00000000 00:00 0
                7f05 r-xp 00000000 08:01 126 [vdso]
                """;
        List<Path> found = Blas.loadedBlasLibraries(maps);
        assertEquals(List.of(Path.of("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0")), found);
        assertTrue(Blas.loadedBlasLibraries("").isEmpty());
    }

    @Test
    void locatesTheSystemLibraryTheLoaderWouldTakeWithoutLoadingIt(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path ref = java.nio.file.Files.createDirectories(dir.resolve("blas")).resolve("libblas.so.3.11.0");
        java.nio.file.Files.writeString(ref, "not a library");
        Path first = java.nio.file.Files.createDirectories(dir.resolve("first"));
        java.nio.file.Files.createSymbolicLink(first.resolve("libblas.so.3"), ref);
        Path empty = java.nio.file.Files.createDirectories(dir.resolve("empty"));
        // LD_LIBRARY_PATH comes first and symlinks are followed to the file the alternatives system points at.
        assertEquals(ref.toRealPath(), SystemBlasLocator.resolve(empty + ":" + first));
        assertEquals(Blas.Kind.REFERENCE, Blas.classify(SystemBlasLocator.resolve(empty + ":" + first)));
        assertEquals(List.of(empty, first), SystemBlasLocator.searchDirs(empty + "::" + first).subList(0, 2));
    }

    @Test
    void autoModeTakesTheBundledOpenBlasAndNeverAReferenceOne() {
        if (System.getProperty("infometer.blas") == null) {
            assertTrue(Blas.describe().startsWith("bundled OpenBLAS 0.3.31"), Blas.describe());
            assertTrue(Blas.describe().contains("1 thread"), Blas.describe());
        }
        assertTrue(Blas.loadedBlasLibraries(Blas.readMaps()).stream()
                .noneMatch(p -> Blas.classify(p) == Blas.Kind.REFERENCE), Blas.describe());
    }

    @Test
    void aJvmStartedWithoutTheThreadSettingIsSetToOneThread() throws Exception {
        // The choice is made once per JVM, so it is checked in a JVM of its own, without OPENBLAS_NUM_THREADS.
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.infometer.estimate.Blas")
                .redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("bundled OpenBLAS 0.3.31") && out.contains("1 thread (set from"), out);
        assertTrue(out.contains("OPENBLAS_NUM_THREADS was unset"), out);
        assertTrue(out.contains("sgemm check: 35.0 44.0 44.0 56.0"), out);
    }

    @Test
    void theBundledOpenBlasLoadsOnRequestAndComputes() throws Exception {
        assertEquals("linux-x86_64", org.bytedeco.javacpp.Loader.getPlatform(),
                "the bundled OpenBLAS ships for linux-x86_64; this build machine is not one");
        // The choice is made once per JVM, so the bundled library is loaded in a JVM of its own.
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dinfometer.blas=bundled", "-cp", System.getProperty("java.class.path"),
                "org.infometer.estimate.Blas").redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("bundled OpenBLAS 0.3.31"), out);
        assertTrue(out.contains("libopenblas.so.0"), out);
        assertTrue(out.contains("sgemm check: 35.0 44.0 44.0 56.0"), out);
    }

    @Test
    void namesTheChoiceAndComputes() {
        assertFalse(Blas.describe().isBlank());
        double[] c = Linalg.multiply(new double[] {1, 2, 3, 4}, 2, 2, false, new double[] {1, 0, 0, 1}, 2, 2, false);
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), List.of(c[0], c[1], c[2], c[3]));
    }
}

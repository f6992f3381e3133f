package org.infometer.estimate.flow;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM whose first native work is PyTorch (a cluster executor that trains a flow model first) must still have the
 * BLAS loaded before it: the other order wrote other flow values (docs/PERFORMANCE.md, "Which BLAS runs").
 */
class TorchLoadsAfterBlasTest {

    /** Run in a fresh JVM: touches PyTorch first, then reports which libraries were mapped at that point. */
    public static void main(String[] args) throws Exception {
        FlowEngine.engine();
        String maps = Files.readString(Path.of("/proc/self/maps"));
        System.out.println("openblas mapped: " + maps.contains("libopenblas.so.0"));
        System.out.println("torch mapped: " + maps.contains("libtorch"));
    }

    @Test
    void theFirstPyTorchUseOfAFreshJvmFindsTheBlasLoaded() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                TorchLoadsAfterBlasTest.class.getName()).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("openblas mapped: true"), out);
        assertTrue(out.contains("torch mapped: true"), out);
    }
}

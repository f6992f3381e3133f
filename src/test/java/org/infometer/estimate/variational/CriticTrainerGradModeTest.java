package org.infometer.estimate.variational;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A critic trains on a thread whose PyTorch grad mode is on, as the driver's main thread is when a flow fit first
 * started the engine on a Spark task thread (the pid job after a flow job in one JVM failed with "a leaf Variable
 * that requires grad is being used in an in-place operation"), and leaves the thread's grad mode as it found it.
 */
class CriticTrainerGradModeTest {

    @Test
    void trainsWithGradModeOnAndRestoresIt() throws Exception {
        Engine.getEngine("PyTorch");
        int n = 400;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double a = CriticTrainer.gaussian(r);
            x[i] = (float) a;
            y[i] = (float) (0.8 * a + 0.6 * CriticTrainer.gaussian(r));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> after = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                JniUtils.setGradMode(true);
                Critic c = CriticTrainer.train(x, y, n, 1, 1, Bound.MINE, new CriticConfig(8, 20, 32, 3e-3, 0.01, 1L));
                assertTrue(Double.isFinite(c.value(x, 0, y, 0)), "critic score");
                after.set(JniUtils.isGradMode());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertNull(failure.get(), () -> "training failed: " + failure.get());
        assertEquals(Boolean.TRUE, after.get(), "grad mode restored");
    }
}

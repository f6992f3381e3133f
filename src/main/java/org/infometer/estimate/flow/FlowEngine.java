package org.infometer.estimate.flow;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The one place that touches the PyTorch engine directly. It forces offline mode before the engine loads (the
 * native library then comes from the pytorch-native-cpu jar on the classpath, extracted to the DJL cache,
 * never from the network), and wraps the process-wide and thread-local switches DJL does not expose portably.
 */
final class FlowEngine {

    static final String ENGINE_NAME = "PyTorch";

    private FlowEngine() {
    }

    static synchronized Engine engine() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine(ENGINE_NAME);
    }

    /** Intra-op threads are process-wide in PyTorch; 0 leaves the current setting. */
    static void applyThreads(int intraOpThreads) {
        engine();
        if (intraOpThreads > 0 && JniUtils.getNumThreads() != intraOpThreads) {
            JniUtils.setNumThreads(intraOpThreads);
        }
    }

    /**
     * Grad mode is thread-local in PyTorch and on by default in threads the engine did not start (Spark task
     * threads), so scoring turns it off explicitly instead of silently recording autograd graphs.
     */
    static void disableGrad() {
        engine();
        JniUtils.setGradMode(false);
    }

    static String djlVersion() {
        return Engine.getDjlVersion();
    }

    static String pytorchVersion() {
        return engine().getVersion();
    }
}

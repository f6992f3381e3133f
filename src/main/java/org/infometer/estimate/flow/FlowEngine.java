package org.infometer.estimate.flow;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.infometer.estimate.Blas;

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
        Blas.loadBeforeNativeEngines();
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine(ENGINE_NAME);
    }

    private static volatile int requestedThreads;

    /**
     * Sets PyTorch's intra-op threads for this thread and remembers the count for every later thread; 0 leaves
     * the current setting. The CPU build uses OpenMP, whose thread count is a per-thread setting: a thread the
     * engine did not see (a Spark task thread, a scoring pool) starts with one thread per core, and a different
     * thread count splits reductions differently, so the same model scored in two threads differed in the last
     * bits until every scoring thread applied the count (see {@link #disableGrad()}).
     */
    static void applyThreads(int intraOpThreads) {
        engine();
        if (intraOpThreads > 0) {
            requestedThreads = intraOpThreads;
        }
        applyRequestedThreads();
    }

    private static void applyRequestedThreads() {
        int n = requestedThreads;
        if (n > 0 && JniUtils.getNumThreads() != n) {
            JniUtils.setNumThreads(n);
        }
    }

    /**
     * Grad mode is thread-local in PyTorch and on by default in threads the engine did not start (Spark task
     * threads), so scoring turns it off explicitly instead of silently recording autograd graphs; the thread
     * count is per thread too and is applied here with it.
     */
    static void disableGrad() {
        engine();
        JniUtils.setGradMode(false);
        applyRequestedThreads();
    }

    static String djlVersion() {
        return Engine.getDjlVersion();
    }

    static String pytorchVersion() {
        return engine().getVersion();
    }
}

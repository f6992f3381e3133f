package org.infometer.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.status.api.v1.ExecutorSummary;
import scala.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak memory of a run from the JVMs' own counters, for the console, summary.json and the benchmarks: the driver's
 * heap (sampled every {@value #SAMPLE_MS} ms by a daemon thread, since the heap's peak is not kept by the JVM as one
 * number) and its resident set's high-water mark (Linux {@code VmHWM}, which also counts native memory such as
 * PyTorch's); each executor's peak heap and, when {@code spark.executor.processTreeMetrics.enabled}, its process
 * tree's resident set, from Spark's executor metrics (sampled at heartbeats). In the embedded profile the driver
 * is the only executor, so both describe one JVM.
 */
public final class PeakMemory {

    static final int SAMPLE_MS = 100;
    private static final AtomicLong DRIVER_HEAP_PEAK = new AtomicLong();
    private static volatile Thread sampler;

    private PeakMemory() {
    }

    /** What was measured; {@code -1} where a counter is not available on this platform or profile. */
    public record Snapshot(long driverHeapPeak, long driverHeapMax, long driverRssPeak, int executors,
                           long executorHeapPeak, long executorRssPeak) {

        public String describe() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "peak memory: driver heap %s of %s",
                    mib(driverHeapPeak), mib(driverHeapMax)));
            if (driverRssPeak >= 0) {
                b.append(String.format(Locale.ROOT, ", driver resident %s", mib(driverRssPeak)));
            }
            if (executors > 0) {
                b.append(String.format(Locale.ROOT, "; %d executor%s, largest heap %s", executors,
                        executors == 1 ? "" : "s", mib(executorHeapPeak)));
                if (executorRssPeak >= 0) {
                    b.append(String.format(Locale.ROOT, ", largest resident %s", mib(executorRssPeak)));
                }
            }
            return b.toString();
        }

        public void putJson(ObjectNode root) {
            ObjectNode m = root.putObject("peak_memory_bytes");
            m.put("driver_heap", driverHeapPeak);
            m.put("driver_heap_max", driverHeapMax);
            m.put("driver_resident", driverRssPeak);
            m.put("executors", executors);
            m.put("executor_heap", executorHeapPeak);
            m.put("executor_resident", executorRssPeak);
        }

        private static String mib(long bytes) {
            return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
        }
    }

    /** Starts the driver's heap sampler once per JVM (idempotent, daemon: it never holds the JVM open). */
    public static synchronized void start() {
        if (sampler != null) {
            return;
        }
        Thread t = new Thread(() -> {
            while (true) {
                sample();
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "infometer-peak-memory");
        t.setDaemon(true);
        t.start();
        sampler = t;
    }

    private static void sample() {
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        DRIVER_HEAP_PEAK.accumulateAndGet(used, Math::max);
    }

    /** The peaks so far; executors from the active Spark session when there is one. */
    public static Snapshot snapshot() {
        sample();
        long heapMax = Runtime.getRuntime().maxMemory();
        int executors = 0;
        long execHeap = -1;
        long execRss = -1;
        Option<SparkSession> session = SparkSession.getActiveSession();
        if (session.isEmpty()) {
            session = SparkSession.getDefaultSession();
        }
        if (session.isDefined() && !session.get().sparkContext().isStopped()) {
            SparkContext sc = session.get().sparkContext();
            scala.collection.Iterator<ExecutorSummary> it = sc.statusStore().executorList(false).iterator();
            while (it.hasNext()) {
                ExecutorSummary e = it.next();
                executors++;
                Option<ExecutorMetrics> peak = e.peakMemoryMetrics();
                if (peak.isDefined()) {
                    execHeap = Math.max(execHeap, peak.get().getMetricValue("JVMHeapMemory"));
                    long rss = peak.get().getMetricValue("ProcessTreeJVMRSSMemory");
                    if (rss > 0) {
                        execRss = Math.max(execRss, rss);
                    }
                }
            }
        }
        return new Snapshot(DRIVER_HEAP_PEAK.get(), heapMax, residentHighWaterMark(), executors, execHeap, execRss);
    }

    /** Linux's VmHWM of this process in bytes, or -1 elsewhere. */
    static long residentHighWaterMark() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: the counter is simply not available
        }
        return -1;
    }
}

package org.infometer.estimate.flow;

import ai.djl.Device;

import java.util.Locale;

/**
 * Picks the device a flow fits and scores on.
 *
 * <p>Usage: {@code FlowDevices.resolve(config.device())}; inside a Spark task that was granted GPUs, pass the
 * task's addresses: {@code FlowDevices.forGpuAddresses(TaskContext.get().resources().get("gpu").addresses())}
 * and put the result in {@link FlowConfig#device()} as {@code gpu:N}. Every array a flow creates is created on
 * its model's device, so the GPU path needs no other change (it is not exercised by the CPU-only tests).
 */
public final class FlowDevices {

    private FlowDevices() {
    }

    /** {@code auto}: first GPU when DJL sees one, else CPU; {@code cpu}; {@code gpu}; {@code gpu:N}. */
    public static Device resolve(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        int gpus = FlowEngine.engine().getGpuCount();
        switch (s) {
            case "auto":
                return gpus > 0 ? Device.gpu() : Device.cpu();
            case "cpu":
                return Device.cpu();
            case "gpu":
                return requireGpu(0, gpus, spec);
            default:
                if (s.startsWith("gpu:")) {
                    return requireGpu(Integer.parseInt(s.substring(4)), gpus, spec);
                }
                throw new IllegalArgumentException("Unknown device '" + spec + "': expected auto, cpu, gpu or gpu:N");
        }
    }

    /** Device spec for a Spark task's GPU addresses ({@code "cpu"} when it has none or DJL sees none). */
    public static String forGpuAddresses(String[] addresses) {
        if (addresses == null || addresses.length == 0 || FlowEngine.engine().getGpuCount() == 0) {
            return "cpu";
        }
        return "gpu:" + Integer.parseInt(addresses[0].trim());
    }

    private static Device requireGpu(int id, int gpus, String spec) {
        if (id >= gpus) {
            throw new IllegalStateException("Device '" + spec + "' requested but the PyTorch engine sees " + gpus
                    + " GPU(s)");
        }
        return Device.gpu(id);
    }
}

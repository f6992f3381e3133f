package org.infometer.estimate.flow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Parameters of a fitted flow that no longer change, for scoring. It serves each parameter as a copy in
 * PyTorch-allocated memory: loaded parameters wrap Java buffers at whatever alignment the JVM gave them, and BLAS
 * kernels may pick alignment-dependent paths, so copies keep a model's codelengths bit-identical whether it was
 * just fitted or loaded from disk. It also caches quantities derived from parameters alone (the LU product), which
 * would otherwise be rebuilt for every sample. Thread-safe: concurrent tasks share one copy.
 */
final class FrozenParameterStore extends ParameterStore {

    private final NDManager manager;
    private final ConcurrentHashMap<String, NDArray> arrays = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Block, ConcurrentHashMap<String, NDArray>> derived = new ConcurrentHashMap<>();

    FrozenParameterStore(NDManager manager) {
        super(manager, false);
        this.manager = manager;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        return arrays.computeIfAbsent(parameter.getId() + "@" + device,
                k -> keep(parameter.getArray().toDevice(device, true)));
    }

    /** Computes once (inside the caller's NDScope) and keeps the result for the model's lifetime. */
    NDArray derived(Block owner, String name, Supplier<NDArray> compute) {
        return derived.computeIfAbsent(owner, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(name, k -> keep(compute.get()));
    }

    private NDArray keep(NDArray a) {
        a.attach(manager);
        NDScope.unregister(a);
        return a;
    }
}

package org.infometer.estimate.flow;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * A fitted flow ready to score: a DJL {@link Model} owning the {@link FlowBlock}'s parameters. Parameters are
 * always loaded from their serialised form (never the arrays training updated), so they carry no autograd
 * state and an in-memory model scores exactly like the same model saved and loaded again.
 */
final class FlowNet implements AutoCloseable {

    private final String name;
    private final Model model;
    private final FlowBlock block;
    private final FrozenParameterStore parameters;

    private FlowNet(String name, Model model, FlowBlock block) {
        this.name = name;
        this.model = model;
        this.block = block;
        this.parameters = new FrozenParameterStore(model.getNDManager());
    }

    static FlowNet fromParameters(String name, FlowSpec spec, Device device, byte[] parameters) {
        Model model = Model.newInstance(name, device, FlowEngine.ENGINE_NAME);
        try {
            FlowBlock block = new FlowBlock(spec);
            model.setBlock(block);
            block.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(parameters)));
            return new FlowNet(name, model, block);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalStateException("Cannot restore parameters of flow " + name + ": " + e.getMessage(), e);
        }
    }

    static FlowNet load(Path dir, String name, FlowSpec spec, Device device) {
        Model model = Model.newInstance(name, device, FlowEngine.ENGINE_NAME);
        try {
            FlowBlock block = new FlowBlock(spec);
            model.setBlock(block);
            model.load(dir, name);
            return new FlowNet(name, model, block);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalStateException("Cannot load flow " + name + " from " + dir + ": " + e.getMessage(), e);
        }
    }

    static byte[] parameterBytes(FlowBlock block) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream dos = new DataOutputStream(bos)) {
            block.saveParameters(dos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    /** Writes {@code <name>-0000.params} in DJL's model format. */
    void save(Path dir) throws IOException {
        model.setProperty("Epoch", "0");
        model.save(dir, name);
    }

    String name() {
        return name;
    }

    FlowSpec spec() {
        return block.spec();
    }

    /** Sum of the codelengths (nats) of {@code shape.get(0)} observations stored row-major in {@code data}. */
    double codelengthNats(float[] data, Shape shape) {
        FlowEngine.disableGrad();
        try (NDScope scope = new NDScope(); NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(FloatBuffer.wrap(data), shape);
            NDArray nats = block.codelengthNats(parameters, x, false);
            double sum = 0;
            for (float v : nats.toFloatArray()) {
                sum += v;
            }
            scope.suppressNotUsedWarning();
            return sum;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}

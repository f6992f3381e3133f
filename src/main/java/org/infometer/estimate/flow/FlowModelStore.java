package org.infometer.estimate.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Saves and loads fitted pair models: one directory holding the model's parameters and {@value #METADATA_FILE}.
 * A token-granularity model (variant {@code dependence}, format 2 or 3) stores {@value #DEPENDENCE_FILE}: both
 * Gaussianisations, the Gaussian pair model and the conditional flow's DJL parameters. A map-granularity model
 * (variant {@code three-flows}) stores three DJL parameter files ({@code flow-x-0000.params},
 * {@code flow-y-0000.params}, {@code flow-xy-0000.params}); only format 3 is read for it (earlier map models were
 * trained on wrong gradients). The
 * metadata holds config, input
 * fingerprint, estimator, channels, training curves, held-out losses, fitted data size, DJL and PyTorch versions).
 *
 * <p>Usage: {@code FlowModelStore.save(model, dir, fingerprint)} on the fitting side;
 * {@code try (FlowPairModel m = FlowModelStore.load(dir, fingerprint)) { m.score(...); }} to apply, or
 * {@link FlowModelHandle} to share one loaded model per executor JVM. Loading checks the fingerprint first and
 * refuses a model fitted on another input schema ({@link FingerprintMismatchException}).
 */
public final class FlowModelStore {

    public static final String METADATA_FILE = "flow-model.json";
    public static final String DEPENDENCE_FILE = "dependence-model.bin";
    static final int FORMAT_VERSION = 3;
    /**
     * First format whose map (three-flows) models were trained with {@link MapConv}: earlier ones were trained on
     * the engine convolution's wrong input gradients, so they are refused rather than scored.
     */
    static final int FIRST_MAPCONV_FORMAT = 3;
    static final String THREE_FLOWS = "three-flows";
    static final String DEPENDENCE = "dependence";
    static final List<String> FLOWS = List.of("flow-x", "flow-y", "flow-xy");

    /**
     * The project's one JSON library. The on-disk format is the one earlier builds wrote (with Gson): NaN and
     * infinities as bare tokens (a held-out MI is NaN where no dependence flow was fitted), and fields a newer
     * build added are ignored by an older reader rather than refused.
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write flow model metadata: " + e.getMessage(), e);
        }
    }

    private FlowModelStore() {
    }

    public static void save(FlowPairModel model, Path dir, String inputFingerprint) throws IOException {
        if (inputFingerprint == null || inputFingerprint.isBlank()) {
            throw new IllegalArgumentException("An input schema fingerprint is required to save a flow model to "
                    + dir);
        }
        Files.createDirectories(dir);
        boolean dependence = model.dependence() != null;
        if (dependence) {
            Files.write(dir.resolve(DEPENDENCE_FILE), model.dependence().toBytes());
        }
        for (FlowNet net : model.flows()) {
            net.save(dir);
        }
        FlowModelInfo info = new FlowModelInfo(FORMAT_VERSION, model.estimator(), model.channelsX(),
                model.channelsY(), inputFingerprint, model.seedKey(), model.config(), model.summary(),
                FlowEngine.djlVersion(), FlowEngine.pytorchVersion(),
                dependence ? List.of(DEPENDENCE_FILE) : FLOWS, dependence ? DEPENDENCE : THREE_FLOWS);
        Files.writeString(dir.resolve(METADATA_FILE), toJson(info), StandardCharsets.UTF_8);
    }

    /** Loads on the device the stored config names ({@code auto} unless set otherwise when fitting). */
    public static FlowPairModel load(Path dir, String expectedFingerprint) {
        return load(dir, expectedFingerprint, null);
    }

    /** Loads on {@code device} ({@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N}; null: the stored one). */
    public static FlowPairModel load(Path dir, String expectedFingerprint, String device) {
        FlowModelInfo info = readInfo(dir);
        if (expectedFingerprint == null || !expectedFingerprint.equals(info.inputFingerprint())) {
            throw new FingerprintMismatchException(dir, info.inputFingerprint(), expectedFingerprint);
        }
        FlowConfig config = device == null ? info.config() : info.config().toBuilder().device(device).build();
        FlowEngine.applyThreads(config.intraOpThreads());
        ai.djl.Device d = FlowDevices.resolve(config.device());
        if (DEPENDENCE.equals(info.variant())) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(dir.resolve(DEPENDENCE_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + dir.resolve(DEPENDENCE_FILE), e);
            }
            DependenceModel dep = DependenceModel.fromBytes(bytes, d);
            if (dep.channelsX() != info.channelsX() || dep.channelsY() != info.channelsY()) {
                dep.close();
                throw new IllegalArgumentException("Flow model " + dir + " holds " + dep.channelsX() + " + "
                        + dep.channelsY() + " channels, its metadata says " + info.channelsX() + " + "
                        + info.channelsY());
            }
            return new FlowPairModel(config, info.seedKey(), info.fit(), dep);
        }
        int[] channels = {info.channelsX(), info.channelsY(), info.channelsX() + info.channelsY()};
        FlowNet[] nets = new FlowNet[3];
        try {
            for (int i = 0; i < 3; i++) {
                nets[i] = FlowNet.load(dir, FLOWS.get(i), FlowSpec.of(config, channels[i]), d);
            }
        } catch (RuntimeException e) {
            for (FlowNet n : nets) {
                if (n != null) {
                    n.close();
                }
            }
            throw e;
        }
        return new FlowPairModel(config, info.channelsX(), info.channelsY(), info.seedKey(), info.fit(), nets[0],
                nets[1], nets[2]);
    }

    public static FlowModelInfo readInfo(Path dir) {
        Path file = dir.resolve(METADATA_FILE);
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("No flow model at " + dir + ": " + METADATA_FILE + " is missing", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        FlowModelInfo info;
        try {
            info = JSON.readValue(json, FlowModelInfo.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Malformed flow model metadata " + file + ": " + e.getMessage(), e);
        }
        if (info == null || info.formatVersion() < 1 || info.formatVersion() > FORMAT_VERSION) {
            throw new IllegalArgumentException("Flow model metadata " + file + " has format version "
                    + (info == null ? "none" : info.formatVersion()) + ", this build reads 1 to " + FORMAT_VERSION);
        }
        if (info.variant() == null) {
            // Format 1 had only the three-flow model.
            info = new FlowModelInfo(info.formatVersion(), info.estimator(), info.channelsX(), info.channelsY(),
                    info.inputFingerprint(), info.seedKey(), info.config(), info.fit(), info.djlVersion(),
                    info.pytorchVersion(), info.flows(), THREE_FLOWS);
        }
        if (!info.variant().equals(THREE_FLOWS) && !info.variant().equals(DEPENDENCE)) {
            throw new IllegalArgumentException("Flow model metadata " + file + " names variant '" + info.variant()
                    + "'; this build reads " + THREE_FLOWS + " and " + DEPENDENCE);
        }
        if (info.variant().equals(THREE_FLOWS) && info.formatVersion() < FIRST_MAPCONV_FORMAT) {
            throw new IllegalArgumentException("Flow model " + dir + " is a map-granularity model of format "
                    + info.formatVersion() + ", trained with the engine's convolution, whose input gradients were "
                    + "wrong (fixed 2026-12-08, format " + FIRST_MAPCONV_FORMAT + "): refit it");
        }
        return info;
    }
}

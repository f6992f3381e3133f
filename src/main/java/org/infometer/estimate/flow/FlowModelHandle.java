package org.infometer.estimate.flow;

import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.SampleCodelengths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Serializable reference to a saved flow model, for broadcasting to executors.
 *
 * <p>Usage on the driver: {@code FlowModelHandle h = FlowModelHandle.embedded(dir, fingerprint)} (carries the
 * saved bytes, a few MB) or {@code FlowModelHandle.ofDirectory(dir, fingerprint)} (carries the path; the directory
 * must be readable from every executor); broadcast it. On executors, inside {@code mapPartitions}:
 * {@code FittedPairModel m = handle.open(); m.score(x, y, tokens)}. {@link #open()} loads lazily and keeps one
 * {@link FlowPairModel} per JVM per model id and device, shared by all tasks (scoring is thread-safe); closing
 * what {@code open()} returns is a no-op, and a shutdown hook closes the shared models when the JVM exits.
 *
 * <p>The model id is a SHA-256 over the saved files, so a directory overwritten with a new fit gets a new id.
 */
public final class FlowModelHandle implements PairModelHandle {

    private static final long serialVersionUID = 1L;
    private static final Map<String, FlowPairModel> SHARED = new HashMap<>();
    private static boolean hookInstalled;

    private final String modelId;
    private final String fingerprint;
    private final String device;
    private final String directory;
    private final Map<String, byte[]> files;

    private FlowModelHandle(String modelId, String fingerprint, String device, String directory,
            Map<String, byte[]> files) {
        this.modelId = modelId;
        this.fingerprint = fingerprint;
        this.device = device;
        this.directory = directory;
        this.files = files;
    }

    /** A handle that carries the model's files, so executors need no shared file system. */
    public static FlowModelHandle embedded(Path dir, String expectedFingerprint) {
        checkFingerprint(dir, expectedFingerprint);
        Map<String, byte[]> files = readFiles(dir);
        return new FlowModelHandle(digest(files), expectedFingerprint, null, null, files);
    }

    /** A handle that carries only the path; every executor must be able to read {@code dir}. */
    public static FlowModelHandle ofDirectory(Path dir, String expectedFingerprint) {
        checkFingerprint(dir, expectedFingerprint);
        return new FlowModelHandle(digest(readFiles(dir)), expectedFingerprint, null,
                dir.toAbsolutePath().toString(), null);
    }

    /** The same model placed on {@code device} ({@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N}). */
    public FlowModelHandle withDevice(String device) {
        return new FlowModelHandle(modelId, fingerprint, device, directory, files);
    }

    public String modelId() {
        return modelId;
    }

    @Override
    public FittedPairModel open() {
        return new Shared(shared());
    }

    private FlowPairModel shared() {
        String key = modelId + "@" + (device == null ? "stored" : device);
        synchronized (SHARED) {
            FlowPairModel model = SHARED.get(key);
            if (model == null) {
                model = loadNow();
                SHARED.put(key, model);
                installHook();
            }
            return model;
        }
    }

    private FlowPairModel loadNow() {
        if (directory != null) {
            return FlowModelStore.load(Paths.get(directory), fingerprint, device);
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("flow-model-");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Files.write(tmp.resolve(e.getKey()), e.getValue());
            }
            return FlowModelStore.load(tmp, fingerprint, device);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stage flow model " + modelId + " in a temporary directory", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void installHook() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(FlowModelHandle::closeShared, "flow-model-close"));
            hookInstalled = true;
        }
    }

    /** Closes every shared model of this JVM; later {@link #open()} calls load again. */
    static void closeShared() {
        synchronized (SHARED) {
            SHARED.values().forEach(FlowPairModel::close);
            SHARED.clear();
        }
    }

    private static void checkFingerprint(Path dir, String expected) {
        FlowModelInfo info = FlowModelStore.readInfo(dir);
        if (expected == null || !expected.equals(info.inputFingerprint())) {
            throw new FingerprintMismatchException(dir, info.inputFingerprint(), expected);
        }
    }

    private static Map<String, byte[]> readFiles(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p)
                        && (name.equals(FlowModelStore.METADATA_FILE) || name.equals(FlowModelStore.DEPENDENCE_FILE)
                        || name.endsWith(".params"))) {
                    files.put(name, Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read flow model files in " + dir, e);
        }
        return new LinkedHashMap<>(files);
    }

    private static String digest(Map<String, byte[]> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(e.getValue());
            }
            StringBuilder sb = new StringBuilder();
            for (byte b : md.digest()) {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> paths = s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A leftover temporary directory is harmless; failing the load over it would not be.
        }
    }

    /** The view tasks get: scoring goes to the shared model, closing it does nothing. */
    private static final class Shared implements FittedPairModel {
        private final FlowPairModel model;

        Shared(FlowPairModel model) {
            this.model = model;
        }

        @Override
        public String estimator() {
            return model.estimator();
        }

        @Override
        public int channelsX() {
            return model.channelsX();
        }

        @Override
        public int channelsY() {
            return model.channelsY();
        }

        @Override
        public SampleCodelengths score(float[] x, float[] y, int tokens) {
            return model.score(x, y, tokens);
        }
    }
}

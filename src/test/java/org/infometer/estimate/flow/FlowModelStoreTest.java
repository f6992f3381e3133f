package org.infometer.estimate.flow;

import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.SampleCodelengths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Save / load and executor handles of a small fitted token model. */
class FlowModelStoreTest {

    private static final String FINGERPRINT = "x:camera[4] y:lidar[3] v1";

    @TempDir
    static Path tmp;

    static FlowPairModel model;
    static Path dir;
    static List<PairSample> probe;

    @BeforeAll
    static void fit() throws Exception {
        SyntheticPairs.Case c = SyntheticPairs.studentT(304, 10, 4, 4, 2, 5);
        List<PairSample> data = c.samples().stream().map(s -> {
            float[] y = new float[s.tokens() * 3];
            for (int t = 0; t < s.tokens(); t++) {
                System.arraycopy(s.y(), t * 4, y, t * 3, 3);
            }
            return new PairSample(s.x(), y, s.tokens());
        }).toList();
        FlowConfig cfg = FlowConfig.builder(FlowGranularity.TOKEN).maxEpochs(3).batchSize(256).intraOpThreads(1)
                .device("cpu").build();
        model = FlowTrainer.fit(data.subList(0, 300).iterator(), 4, 3, cfg, 99L, null);
        probe = data.subList(300, 304);
        dir = tmp.resolve("model");
        FlowModelStore.save(model, dir, FINGERPRINT);
    }

    @AfterAll
    static void close() {
        model.close();
        FlowModelHandle.closeShared();
    }

    @Test
    void saveWritesDjlParametersAndMetadata() throws Exception {
        assertTrue(Files.isRegularFile(dir.resolve(FlowModelStore.DEPENDENCE_FILE)));
        FlowModelInfo info = FlowModelStore.readInfo(dir);
        assertEquals(3, info.formatVersion());
        assertEquals("dependence", info.variant());
        assertEquals(List.of(FlowModelStore.DEPENDENCE_FILE), info.flows());
        assertEquals("flow-token", info.estimator());
        assertEquals(4, info.channelsX());
        assertEquals(3, info.channelsY());
        assertEquals(FINGERPRINT, info.inputFingerprint());
        assertEquals(model.config(), info.config());
        assertEquals(3000, info.fit().tokensSeen());
        // Enough data for the conditional flow to be trained (it is stored whether kept or not).
        assertEquals(3, info.fit().curves().get("dependence").epochs().size(), info.fit().curves().toString());
        assertTrue(Double.isFinite(info.fit().heldOutMiBitsPerToken()));
        assertEquals("2.5.1", info.pytorchVersion());
        assertNotNull(info.djlVersion());
    }

    @Test
    void metadataKeepsTheFormatEarlierBuildsWroteAndRead(@org.junit.jupiter.api.io.TempDir Path other)
            throws Exception {
        // Earlier builds wrote NaN as a bare token (a fit without a dependence flow has no held-out MI) and a
        // newer build may add fields: both must still read, and a NaN written now must be a bare token again.
        String json = Files.readString(dir.resolve(FlowModelStore.METADATA_FILE));
        String old = json.replaceFirst("\"dependenceHeldOutMiBits\"\\s*:\\s*[-0-9.eE]+",
                "\"dependenceHeldOutMiBits\" : NaN").replaceFirst("\\{", "{\n  \"addedLater\" : [1, 2],");
        assertTrue(old.contains("NaN") && old.contains("addedLater"), old);
        Files.createDirectories(other);
        Files.writeString(other.resolve(FlowModelStore.METADATA_FILE), old);
        FlowModelInfo info = FlowModelStore.readInfo(other);
        assertTrue(Double.isNaN(info.fit().dependenceHeldOutMiBits()));
        assertEquals(FlowModelStore.readInfo(dir).config(), info.config());
        String written = FlowModelStore.toJson(info);
        assertTrue(written.matches("(?s).*\"dependenceHeldOutMiBits\"\\s*:\\s*NaN.*"), written);
    }

    @Test
    void loadedModelGivesIdenticalCodelengths() {
        try (FlowPairModel loaded = FlowModelStore.load(dir, FINGERPRINT)) {
            assertEquals("flow-token", loaded.estimator());
            for (PairSample s : probe) {
                assertEquals(model.score(s.x(), s.y(), s.tokens()), loaded.score(s.x(), s.y(), s.tokens()));
            }
        }
    }

    @Test
    void mismatchedFingerprintIsRefusedWithBothFingerprintsAndThePath() {
        FingerprintMismatchException e = assertThrows(FingerprintMismatchException.class,
                () -> FlowModelStore.load(dir, "x:camera[4] y:lidar[3] v2"));
        assertTrue(e.getMessage().contains(FINGERPRINT), e.getMessage());
        assertTrue(e.getMessage().contains("x:camera[4] y:lidar[3] v2"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertThrows(FingerprintMismatchException.class, () -> FlowModelHandle.embedded(dir, "other"));
    }

    @Test
    void missingModelIsReportedWithItsPath() {
        Path nowhere = tmp.resolve("nowhere");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlowModelStore.load(nowhere, FINGERPRINT));
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    }

    @Test
    void handleSurvivesSerializationAndSharesOneModelPerJvm() throws Exception {
        FlowModelHandle handle = FlowModelHandle.embedded(dir, FINGERPRINT);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bos)) {
            out.writeObject(handle);
        }
        FlowModelHandle copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
            copy = (FlowModelHandle) in.readObject();
        }
        assertEquals(handle.modelId(), copy.modelId());
        assertEquals(handle.modelId(), FlowModelHandle.ofDirectory(dir, FINGERPRINT).modelId());
        PairSample s = probe.get(0);
        SampleCodelengths expected = model.score(s.x(), s.y(), s.tokens());
        try (FittedPairModel a = copy.open()) {
            assertEquals(expected, a.score(s.x(), s.y(), s.tokens()));
        }
        // Closing the view above must not close the shared model.
        FittedPairModel b = handle.open();
        assertEquals(expected, b.score(s.x(), s.y(), s.tokens()));
        assertEquals("flow-token", b.estimator());
        FittedPairModel c = FlowModelHandle.ofDirectory(dir, FINGERPRINT).open();
        assertEquals(expected, c.score(s.x(), s.y(), s.tokens()));
    }

    @Test
    void concurrentScoringOfOneSharedModelMatchesSerialScoring() throws Exception {
        FittedPairModel shared = FlowModelHandle.embedded(dir, FINGERPRINT).open();
        List<SampleCodelengths> serial = probe.stream().map(s -> shared.score(s.x(), s.y(), s.tokens())).toList();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<SampleCodelengths>>> futures = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> probe.stream().map(s -> shared.score(s.x(), s.y(), s.tokens()))
                        .toList()));
            }
            for (var f : futures) {
                assertEquals(serial, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void scoreRejectsMapsOfTheWrongSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.score(new float[10], new float[6], 2));
        assertTrue(e.getMessage().contains("tokens*channels"), e.getMessage());
    }

    @Test
    void sameSharedInstanceForRepeatedOpens() {
        FlowModelHandle handle = FlowModelHandle.embedded(dir, FINGERPRINT);
        assertSame(shared(handle.open()), shared(handle.open()));
    }

    private static Object shared(FittedPairModel view) {
        try {
            var f = view.getClass().getDeclaredField("model");
            f.setAccessible(true);
            return f.get(view);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}

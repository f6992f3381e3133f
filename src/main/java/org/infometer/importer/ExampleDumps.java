package org.infometer.importer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Example dumps as a forward hook would write them: one {@code .npz} per sample holding float32
 * {@code camera} and {@code lidar} [tokens, channels] arrays (LiDAR = a mix of the camera map and noise, so the
 * pair shares information), and {@code index.csv}. Written with DJL's NPZ encoder.
 *
 * <p>Every element is an independent draw, so tokens are i.i.d. and the MI per token is that of C independent
 * channel pairs of correlation {@link #RHO}: {@link #closedFormMiBitsPerToken}. The example has 20 scenes so that the
 * Gaussian job's scene-clustered interval rests on enough clusters to hold the truth (README, "Importing detector
 * dumps": with 2 scenes one seed's interval misses it).
 */
public final class ExampleDumps {

    public static final int SCENES = 20;
    public static final int SAMPLES_PER_SCENE = 12;
    public static final int TOKENS = 50;
    public static final int CHANNELS = 8;
    public static final long SEED = 7L;
    /** Per-channel correlation of LiDAR with camera: lidar = RHO camera + sqrt(1 - RHO^2) noise, unit variance. */
    public static final double RHO = 0.8;

    private ExampleDumps() {
    }

    /** The example's true MI per token: -C/2 log2(1 - RHO^2) (C independent bivariate normal pairs). */
    public static double closedFormMiBitsPerToken(int channels) {
        return -channels / 2.0 * Math.log(1 - RHO * RHO) / Math.log(2);
    }

    /** The example of the README: {@link #SCENES} x {@link #SAMPLES_PER_SCENE} dumps. */
    public static Path write(Path dir) {
        return write(dir, SCENES, SAMPLES_PER_SCENE, TOKENS, CHANNELS, SEED);
    }

    public static Path write(Path dir, int scenes, int samplesPerScene, int tokens, int channels, long seed) {
        Random rnd = new Random(seed);
        StringBuilder index = new StringBuilder("run_id,scene_token,sample_token,timestamp,file\n");
        org.infometer.estimate.Blas.loadBeforeNativeEngines();
        try (NDManager manager = NDManager.newBaseManager()) {
            Files.createDirectories(dir);
            for (int s = 0; s < scenes; s++) {
                for (int k = 0; k < samplesPerScene; k++) {
                    float[] cam = new float[tokens * channels];
                    float[] lid = new float[tokens * channels];
                    for (int i = 0; i < cam.length; i++) {
                        cam[i] = (float) rnd.nextGaussian();
                        lid[i] = (float) (RHO * cam[i] + Math.sqrt(1 - RHO * RHO) * rnd.nextGaussian());
                    }
                    String sample = String.format("sample-%02d-%03d", s, k);
                    NDArray c = manager.create(cam, new Shape(tokens, channels));
                    c.setName("camera");
                    NDArray l = manager.create(lid, new Shape(tokens, channels));
                    l.setName("lidar");
                    Files.write(dir.resolve(sample + ".npz"), new NDList(c, l).encode(NDList.Encoding.NPZ));
                    index.append("detector_a,scene-").append(s).append(',').append(sample).append(',')
                            .append(1_533_000_000_000_000L + 500_000L * (s * samplesPerScene + k)).append(',')
                            .append(sample).append(".npz\n");
                }
            }
            Path file = dir.resolve("index.csv");
            Files.writeString(file, index.toString());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write example dumps to " + dir, e);
        }
    }
}

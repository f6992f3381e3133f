package org.infometer.importer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.infometer.schema.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads one modality's feature map from a detector dump with DJL's NumPy decoding: an array named after the
 * modality in an {@code .npz}, or a whole {@code .npy}. The map must be float32 [tokens, channels] with finite
 * values; anything else is an {@link InputException} naming the index row, file, array and what was expected.
 */
final class DumpReader {

    /** A decoded map: row-major values and its shape. */
    record FeatureMap(float[] values, int tokens, int channels) {
    }

    private DumpReader() {
    }

    static NDList decode(NDManager manager, Path file, String where) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(where + ": dump file " + file + " does not exist");
        } catch (IOException e) {
            throw new InputException(where + ": cannot read dump file " + file + ": " + e.getMessage(), e);
        }
        try {
            return NDList.decode(manager, bytes);
        } catch (RuntimeException e) {
            throw new InputException(where + ": " + file + " is not a NumPy .npy/.npz file DJL can decode: "
                    + e.getMessage(), e);
        }
    }

    /** The array named {@code name} of an npz list; a single-array npy list has it as its only array. */
    static FeatureMap map(NDList list, String name, boolean single, Path file, String where) {
        NDArray a = null;
        if (single) {
            if (list.size() != 1) {
                throw new InputException(where + ": " + file + " holds " + list.size() + " arrays, expected one");
            }
            a = list.get(0);
        } else {
            for (NDArray x : list) {
                if (name.equals(x.getName())) {
                    a = x;
                }
            }
            if (a == null) {
                java.util.List<String> names = new java.util.ArrayList<>();
                list.forEach(x -> names.add(x.getName()));
                throw new InputException(where + ": " + file + " has no array '" + name + "' (arrays: " + names
                        + "); expected float32 [tokens, channels]");
            }
        }
        String what = where + ": " + file + " array '" + name + "'";
        if (a.getDataType() != DataType.FLOAT32) {
            throw new InputException(what + " is " + a.getDataType() + ", expected float32 [tokens, channels]");
        }
        long[] shape = a.getShape().getShape();
        if (shape.length != 2 || shape[0] < 1 || shape[1] < 1) {
            throw new InputException(what + " has shape " + a.getShape() + ", expected float32 [tokens, channels]");
        }
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new InputException(what + " has " + v[i] + " at [" + (i / shape[1]) + ", " + (i % shape[1])
                        + "], expected finite values");
            }
        }
        return new FeatureMap(v, (int) shape[0], (int) shape[1]);
    }
}

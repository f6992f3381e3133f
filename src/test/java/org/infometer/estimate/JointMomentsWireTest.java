package org.infometer.estimate;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Java serialization (how Spark moves states) carries a state as its versioned codec bytes. */
class JointMomentsWireTest {

    @Test
    void javaSerializationCarriesTheCodecBytesAndRestoresTheSameState() throws IOException, ClassNotFoundException {
        JointMoments m = new JointMoments(3, 2);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int s = 0; s < 5; s++) {
            float[] x = new float[4 * 3];
            float[] y = new float[4 * 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) rnd.nextGaussian();
            }
            m.addSample(x, y, 4);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        String stream = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
        assertTrue(stream.contains("JointMoments$Wire"), "not sent as the codec's wire form");
        assertTrue(stream.contains("IMJM"), "the codec's magic is not in the stream");
        JointMoments back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (JointMoments) in.readObject();
        }
        assertEquals(m, back);
        assertArrayEquals(m.toBytes(), back.toBytes());
        assertArrayEquals(m.covariance(), back.covariance());
    }
}

package org.infometer.htmlreport;

import com.fasterxml.jackson.databind.JsonNode;
import org.infometer.estimate.flow.FlowCurve;
import org.infometer.estimate.flow.FlowModelInfo;
import org.infometer.estimate.flow.FlowModelStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Held-out training curves of the stored flow models of a job (only a model store keeps them). */
final class FlowCurves {

    private FlowCurves() {
    }

    static Map<String, List<double[]>> read(JsonNode summary) {
        Map<String, List<double[]>> out = new TreeMap<>();
        String store = summary == null ? null
                : summary.path("config").path("estimator").path("options").path("modelStore").asText(null);
        if (store == null || store.isBlank()) {
            return out;
        }
        Path root = Path.of(store.replaceFirst("^file:", ""));
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString()
                    .equals(FlowModelStore.METADATA_FILE))::iterator) {
                FlowModelInfo info = FlowModelStore.readInfo(f.getParent());
                String model = root.relativize(f.getParent()).toString();
                info.fit().curves().forEach((flow, c) -> {
                    List<double[]> pts = new ArrayList<>();
                    for (FlowCurve.Epoch e : c.epochs()) {
                        pts.add(new double[] {e.epoch(), e.heldOutBitsPerToken()});
                    }
                    // A flow that was never trained (too little data) has no curve; an empty series would draw a
                    // chart of bare axes that looks like a rendering fault.
                    if (!pts.isEmpty()) {
                        out.put((model.isEmpty() ? "" : model + " ") + flow, pts);
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list model store " + root, e);
        }
        return out;
    }
}

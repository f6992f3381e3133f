package org.infometer.job.correlate;

import org.infometer.config.CorrelateConfig;
import org.infometer.correlate.CorrelationAnalysis;
import org.infometer.correlate.RunAccuracy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pairs every x value of a run or scene with its y values; a scene without ground truth keeps NaN accuracy
 * and is counted in {@code notes}.
 */
public final class Observations {

    private Observations() {
    }

    public static List<CorrelationAnalysis.Observation> pair(CorrelateConfig cfg, List<String> runs,
                                                             Map<String, MiPoints.Point> runMi,
                                                             Map<String, MiPoints.Point> sceneMi,
                                                             Map<String, RunAccuracy> runAcc,
                                                             Map<String, Map<String, Double>> sceneAcc,
                                                             List<String> notes) {
        List<CorrelationAnalysis.Observation> obs = new ArrayList<>();
        List<String> xNames = MiPoints.xNames(cfg, runMi, sceneMi);
        for (String run : runs) {
            for (String x : xNames) {
                Double xv = runMi.get(run).values().get(x);
                if (xv == null) {
                    continue;
                }
                for (String y : cfg.y().run()) {
                    obs.add(new CorrelationAnalysis.Observation("run", run, null, x, xv, y,
                            runAcc.get(run).value(y)));
                }
            }
        }
        int missingScenes = 0;
        for (MiPoints.Point p : sceneMi.values()) {
            Map<String, Double> acc = sceneAcc.get(MiPoints.key(p.runId(), p.sceneToken()));
            if (acc == null) {
                missingScenes++;
            }
            for (String x : xNames) {
                Double xv = p.values().get(x);
                if (xv == null) {
                    continue;
                }
                for (String y : cfg.y().scene()) {
                    obs.add(new CorrelationAnalysis.Observation("scene", p.runId(), p.sceneToken(), x, xv, y,
                            acc == null ? Double.NaN : acc.get(y)));
                }
            }
        }
        if (missingScenes > 0) {
            notes.add(missingScenes + " (run, scene) point(s) have MI but no sample in the ground truth ("
                    + cfg.sceneAccuracy().gtBoxes() + "): left out of the scene level");
        }
        return obs;
    }
}

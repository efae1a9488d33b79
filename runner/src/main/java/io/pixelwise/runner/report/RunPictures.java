package io.pixelwise.runner.report;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.runner.output.LabelImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redraws the run's pictures after each evaluation: {@code loss.png}, {@code iou.png},
 * {@code confusion.png} and {@code samples.png} in the run folder.
 */
public final class RunPictures {
  private static final Logger LOG = LoggerFactory.getLogger(RunPictures.class);

  private RunPictures() {}

  public static final String LOSS = "loss.png";
  public static final String IOU = "iou.png";
  public static final String CONFUSION = "confusion.png";
  public static final String SAMPLES = "samples.png";

  /**
   * Draws what the records allow. A picture that cannot be drawn (no fonts on a stripped-down
   * machine, say) is logged and skipped: pictures never stop a training run.
   */
  public static void write(
      Path dir, List<Map<String, Object>> history, Map<String, MetricResult> latest,
      List<SampleGrid.Row> samples, ClassInfo classes) {
    try {
      LabelImages.writePng(Charts.lossCurves(history), dir.resolve(LOSS));
      for (Map.Entry<String, MetricResult> e : latest.entrySet()) {
        if (e.getValue().scalars().containsKey("miou")) {
          LabelImages.writePng(Charts.iouCurves(history, e.getKey(), classes), dir.resolve(IOU));
        }
        if (e.getValue().details().get("confusion") instanceof List<?> rows && !rows.isEmpty()) {
          @SuppressWarnings("unchecked")
          List<? extends List<? extends Number>> counts = (List<? extends List<? extends Number>>) rows;
          LabelImages.writePng(Charts.confusion(counts, classes), dir.resolve(CONFUSION));
        }
      }
      if (!samples.isEmpty()) {
        LabelImages.writePng(SampleGrid.draw(samples, classes), dir.resolve(SAMPLES));
      }
    } catch (IOException | RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vm) {
        throw vm;
      }
      LOG.warn("could not draw the run's pictures in {}: {}", dir, e.toString());
      LOG.debug("picture failure", e);
    }
  }
}

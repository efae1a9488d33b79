package io.pixelwise.engine;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.model.Features;
import io.pixelwise.engine.output.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Writes a trained model as a TensorFlow SavedModel for Python TensorFlow, TF Serving and TF Java:
 * signature {@code serving_default} takes {@code images} (uint8 NHWC, any size) and returns
 * {@code labels} (uint8 class ids, NHW) and {@code probabilities} (float32 NHWC, one channel per
 * class: the softmax, or {@code [1 - sigmoid, sigmoid]} for a binary model).
 *
 * <p>The weights are frozen into the graph as constants: TensorFlow Java's exporter saves variables
 * through {@code Session.save}, which skips the resource variables we train, so a SavedModel with
 * variables would load with none of them restored. {@code classes.json} beside it names the
 * classes and their colours.
 */
public final class ModelExport {
  public static final String SIGNATURE = "serving_default";

  private ModelExport() {}

  public static void export(SegmentationGraph.Spec spec, Map<String, float[]> trained, Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("--output " + dir + " exists and is not empty; choose another folder");
        }
      }
    }
    Files.createDirectories(dir);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TUint8> images =
          tf.withName("images").placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, -1, -1, spec.channels())));
      Operand<TFloat32> normalized = SegmentationGraph.normalize(tf, images, spec.mean(), spec.std());
      GraphContext root = GraphContext.frozen(tf, trained);
      Features features = spec.backbone().build(root.scope("backbone"), normalized);
      Operand<TFloat32> logits = spec.head().build(root.scope("head"), features, SegmentationGraph.outputChannels(spec));
      Operand<TFloat32> probabilities = SegmentationGraph.classProbabilities(tf, "probabilities", logits, spec.binary());
      Operand<TUint8> labels = SegmentationGraph.classIds(tf, "labels", logits, spec.binary());
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString())
            .withSession(session)
            .withSignature(
                Signature.builder()
                    .key(SIGNATURE)
                    .input("images", images)
                    .output("labels", labels)
                    .output("probabilities", probabilities)
                    .build())
            .export();
      }
    }
    Json.write(dir.resolve("classes.json"), describe(spec.classes()));
  }

  private static Map<String, Object> describe(ClassInfo classes) {
    List<Object> list = new ArrayList<>();
    for (int id = 0; id < classes.size(); id++) {
      int rgb = classes.rgb(id);
      list.add(Map.of("id", id, "name", classes.name(id), "color", List.of(rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff)));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("classes", list);
    out.put("ignore_id", classes.ignoreId());
    return out;
  }
}

package io.pixelwise.heads;

import com.typesafe.config.Config;
import io.pixelwise.api.graph.BatchNorm;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializer;
import io.pixelwise.api.graph.Layers;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import io.pixelwise.api.model.Head;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The skip-connection decoder of the course notebooks ("a better model with skip connections"),
 * U-Net style: starting from the deepest features, each stage does {@code upsample(x, skip,
 * num_maps)} = upsample x to the skip endpoint's size, concatenate the skip's features, and apply
 * 3x3 conv + ReLU; a 1x1 conv then gives class scores, upsampled to the input size if the last
 * stage is coarser.
 *
 * <p>Upsampling is bilinear resizing, or a learned transposed convolution (kernel 2f, started as
 * bilinear interpolation) that also maps x to the stage's width.
 *
 * <p>With batch norm each stage conv is {@code conv (no bias) -> batch norm -> ReLU} (variables
 * under {@code <conv>/bn}); the upsampling and the score conv are not normalised.
 *
 * <p>Skips default to one endpoint per stride finer than the start: the deepest of that stride
 * ({@code block4, block3, ...} of {@code simple-conv}; {@code block5, block4, ...} of {@code
 * vgg16}, its pre-pool conv outputs).
 */
public final class UnetSkipHead implements Head {
  private static final String KEY = "heads.unet-skip";

  /** How a stage upsamples. */
  public enum Mode {
    BILINEAR,
    TRANSPOSED
  }

  private final String from;
  private final List<String> skips;
  private final int minStride;
  private final List<Integer> widths;
  private final int convs;
  private final Mode mode;
  private final Initializer kernelInit;
  private final Initializer scoreInit;
  private final Initializer transposedInit;
  private final BatchNorm batchNorm;

  /**
   * @param from endpoint to start from; empty for the deepest
   * @param skips endpoints to merge, coarsest first; empty for one per stride down to minStride
   * @param widths filters of each stage's convs; empty for the channels of the stage's skip
   * @param batchNorm empty for a bias after each stage conv
   */
  public UnetSkipHead(
      String from,
      List<String> skips,
      int minStride,
      List<Integer> widths,
      int convs,
      Mode mode,
      Initializer kernelInit,
      Initializer scoreInit,
      Initializer transposedInit,
      Optional<BatchNorm> batchNorm) {
    if (minStride < 1) {
      throw new IllegalArgumentException(KEY + ".min-stride: expected a stride >= 1, got " + minStride);
    }
    if (convs < 1) {
      throw new IllegalArgumentException(KEY + ".convs: expected at least 1 conv per stage, got " + convs);
    }
    if (widths.stream().anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException(KEY + ".widths: expected positive filter counts, got " + widths);
    }
    this.from = from;
    this.skips = List.copyOf(skips);
    this.minStride = minStride;
    this.widths = List.copyOf(widths);
    this.convs = convs;
    this.mode = mode;
    this.kernelInit = kernelInit;
    this.scoreInit = scoreInit;
    this.transposedInit = transposedInit;
    this.batchNorm = batchNorm.orElse(null);
  }

  static UnetSkipHead fromConfig(Config options) {
    String upsample = options.getString("upsample");
    Mode mode;
    try {
      mode = Mode.valueOf(upsample.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(KEY + ".upsample: expected bilinear or transposed, got '" + upsample + "'", e);
    }
    return new UnetSkipHead(
        options.getString("from"),
        options.getStringList("skips"),
        options.getInt("min-stride"),
        options.getIntList("widths"),
        options.getInt("convs"),
        mode,
        Upsampling.initializerByName(KEY + ".kernel-init", options.getString("kernel-init"), ""),
        Upsampling.initializerByName(KEY + ".score-init", options.getString("score-init"), ""),
        Upsampling.initializer(KEY + ".transposed-init", options.getString("transposed-init")),
        BatchNorm.fromOptions(options, KEY));
  }

  @Override
  public Operand<TFloat32> build(GraphContext ctx, Features features, int numClasses) {
    Ops tf = ctx.tf();
    Endpoint start = from.isEmpty() ? features.last() : named(features, from, "from");
    List<Endpoint> stages = stages(features, start);
    if (!widths.isEmpty() && widths.size() != stages.size()) {
      throw new IllegalArgumentException(
          KEY + ".widths: expected [] or one width per stage (" + stages.size() + ": "
              + stages.stream().map(Endpoint::name).toList() + "), got " + widths);
    }
    Operand<TFloat32> x = start.tensor();
    int stride = start.stride();
    for (int i = 0; i < stages.size(); i++) {
      Endpoint skip = stages.get(i);
      int width = widths.isEmpty() ? (int) skip.channels() : widths.get(i);
      GraphContext stage = ctx.scope("up_" + skip.name());
      Operand<TFloat32> up =
          upsample(stage, x, width, stride / skip.stride(), Layers.spatialSize(tf, skip.tensor()));
      x = stage.tf().concat(List.of(up, skip.tensor()), stage.tf().constant(3));
      for (int c = 0; c < convs; c++) {
        x = Layers.conv2d(stage, "conv" + (c + 1), x, width, 3, 1, true, kernelInit, batchNorm);
      }
      stride = skip.stride();
    }
    Operand<TFloat32> scores = Layers.conv2d(ctx, "score", x, numClasses, 1, 1, false, scoreInit);
    if (stride == 1) {
      return scores;
    }
    return upsample(ctx.scope("up_input"), scores, numClasses, stride, Layers.spatialSize(tf, features.input()));
  }

  private Operand<TFloat32> upsample(
      GraphContext ctx, Operand<TFloat32> x, long channels, int factor, Operand<org.tensorflow.types.TInt32> size) {
    return switch (mode) {
      case BILINEAR -> Layers.resizeBilinear(ctx, x, size);
      case TRANSPOSED -> Upsampling.transposed(ctx, "upsample", x, channels, factor, size, transposedInit, true);
    };
  }

  /** The skip endpoints, coarsest first, each finer than the one before by an integer factor. */
  private List<Endpoint> stages(Features features, Endpoint start) {
    List<Endpoint> chosen = new ArrayList<>();
    if (skips.isEmpty()) {
      // The deepest endpoint of each stride: endpoints are listed finest first, deeper later.
      Map<Integer, Endpoint> byStride = new LinkedHashMap<>();
      for (Endpoint e : features.endpoints()) {
        if (e.stride() < start.stride() && e.stride() >= minStride) {
          byStride.put(e.stride(), e);
        }
      }
      chosen.addAll(byStride.values());
      chosen.sort((a, b) -> Integer.compare(b.stride(), a.stride()));
    } else {
      for (String name : skips) {
        chosen.add(named(features, name, "skips"));
      }
    }
    int stride = start.stride();
    String previous = start.name();
    for (Endpoint e : chosen) {
      if (e.stride() >= stride || stride % e.stride() != 0) {
        throw new IllegalArgumentException(
            KEY + ".skips: each skip must be finer than the stage before by an integer factor, but "
                + e.name() + " (stride " + e.stride() + ") follows " + previous + " (stride " + stride + ")");
      }
      stride = e.stride();
      previous = e.name();
    }
    return chosen;
  }

  private static Endpoint named(Features features, String name, String option) {
    try {
      return features.endpoint(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(KEY + "." + option + ": " + e.getMessage(), e);
    }
  }
}

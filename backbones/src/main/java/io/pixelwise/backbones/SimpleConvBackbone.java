package io.pixelwise.backbones;

import com.typesafe.config.Config;
import io.pixelwise.api.graph.BatchNorm;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializer;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.Layers;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The simple fully convolutional encoder of the course notebooks:
 * {@code conv3x3(32) -> 4 x (maxpool2x2 -> conv3x3(64) -> conv3x3(64))}, ReLU after every conv.
 * Width of the stem, width of each block (and so the depth) and convs per block come from config.
 * With batch norm each conv is {@code conv (no bias) -> batch norm -> ReLU}; its variables are
 * under {@code <conv>/bn}.
 *
 * <p>Endpoints: {@code stem} (stride 1), then {@code block1..blockN} (stride 2..2^N).
 */
public final class SimpleConvBackbone implements Backbone {
  private final int stemWidth;
  private final List<Integer> widths;
  private final int convsPerBlock;
  private final int kernel;
  private final Initializer kernelInit;
  private final BatchNorm batchNorm;

  /** @param batchNorm empty for a bias after each conv */
  public SimpleConvBackbone(
      int stemWidth, List<Integer> widths, int convsPerBlock, int kernel, Initializer kernelInit, Optional<BatchNorm> batchNorm) {
    if (stemWidth < 1 || widths.isEmpty() || widths.stream().anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException(
          "backbones.simple-conv: stem-width and every entry of widths must be >= 1 and widths non-empty, got "
              + stemWidth + " and " + widths);
    }
    if (convsPerBlock < 1 || kernel < 1 || kernel % 2 == 0) {
      throw new IllegalArgumentException(
          "backbones.simple-conv: convs-per-block must be >= 1 and kernel odd, got "
              + convsPerBlock + " and " + kernel);
    }
    this.stemWidth = stemWidth;
    this.widths = List.copyOf(widths);
    this.convsPerBlock = convsPerBlock;
    this.kernel = kernel;
    this.kernelInit = kernelInit;
    this.batchNorm = batchNorm.orElse(null);
  }

  static SimpleConvBackbone fromConfig(Config options) {
    return new SimpleConvBackbone(
        options.getInt("stem-width"),
        options.getIntList("widths"),
        options.getInt("convs-per-block"),
        options.getInt("kernel"),
        Initializers.byName(options.getString("kernel-init")),
        BatchNorm.fromOptions(options, "backbones.simple-conv"));
  }

  @Override
  public Features build(GraphContext ctx, Operand<TFloat32> images) {
    List<Endpoint> endpoints = new ArrayList<>();
    Operand<TFloat32> x = Layers.conv2d(ctx, "stem", images, stemWidth, kernel, 1, true, kernelInit, batchNorm);
    endpoints.add(new Endpoint("stem", x, 1, stemWidth));
    int stride = 1;
    for (int b = 0; b < widths.size(); b++) {
      String name = "block" + (b + 1);
      GraphContext block = ctx.scope(name);
      x = Layers.maxPool(block, x, 2, 2);
      stride *= 2;
      for (int c = 0; c < convsPerBlock; c++) {
        x = Layers.conv2d(block, "conv" + (c + 1), x, widths.get(b), kernel, 1, true, kernelInit, batchNorm);
      }
      endpoints.add(new Endpoint(name, x, stride, widths.get(b)));
    }
    return new Features(images, endpoints);
  }
}

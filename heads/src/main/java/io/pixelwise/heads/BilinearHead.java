package io.pixelwise.heads;

import com.typesafe.config.Config;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.Layers;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import io.pixelwise.api.model.Head;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The simplest decoder: a 1x1 convolution to class scores on one endpoint, then bilinear
 * resizing to the input size (the course notebooks' {@code conv1x1(7) -> resize_bilinear}).
 */
public final class BilinearHead implements Head {
  private final String endpoint;

  /** @param endpoint the backbone endpoint to classify; empty for the deepest one */
  public BilinearHead(String endpoint) {
    this.endpoint = endpoint;
  }

  static BilinearHead fromConfig(Config options) {
    return new BilinearHead(options.getString("endpoint"));
  }

  @Override
  public Operand<TFloat32> build(GraphContext ctx, Features features, int numClasses) {
    Endpoint source = endpoint.isEmpty() ? features.last() : features.endpoint(endpoint);
    Operand<TFloat32> scores =
        Layers.conv2d(ctx, "score", source.tensor(), numClasses, 1, 1, false, Initializers.glorotUniform());
    if (source.stride() == 1) {
      return scores;
    }
    return Layers.resizeBilinear(ctx, scores, Layers.spatialSize(ctx.tf(), features.input()));
  }
}

package io.pixelwise.heads;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Endpoints without weights, with the geometry of real backbones: average pooling of the input
 * with 'SAME' padding (sizes ceil(H/stride)), channels repeated to the wanted depth. Lets head
 * tests run in milliseconds and take gradients with respect to the input.
 */
final class FakeBackbone implements Backbone {
  /** One endpoint: name, stride, and how many times the input's channels are repeated. */
  record Spec(String name, int stride, int copies) {}

  private final List<Spec> specs;

  FakeBackbone(Spec... specs) {
    this.specs = List.of(specs);
  }

  /** FCN's VGG16 endpoints (as far as heads care). */
  static FakeBackbone vggLike() {
    return new FakeBackbone(
        new Spec("block1", 1, 1), new Spec("pool1", 2, 1), new Spec("block2", 2, 2), new Spec("pool2", 4, 2),
        new Spec("block3", 4, 3), new Spec("pool3", 8, 3), new Spec("block4", 8, 4), new Spec("pool4", 16, 4),
        new Spec("block5", 16, 4), new Spec("pool5", 32, 4), new Spec("fc7", 32, 5));
  }

  /** simple-conv's endpoints with its default depths over 3 input channels. */
  static FakeBackbone simpleLike() {
    return new FakeBackbone(
        new Spec("stem", 1, 1), new Spec("block1", 2, 2), new Spec("block2", 4, 2), new Spec("block3", 8, 2), new Spec("block4", 16, 2));
  }

  @Override
  public Features build(GraphContext ctx, Operand<TFloat32> images) {
    Ops tf = ctx.tf();
    long channels = images.shape().get(3);
    List<Endpoint> endpoints = new ArrayList<>();
    for (Spec s : specs) {
      Operand<TFloat32> x = images;
      if (s.stride() > 1) {
        x = tf.nn.avgPool(x, List.of(1L, (long) s.stride(), (long) s.stride(), 1L), List.of(1L, (long) s.stride(), (long) s.stride(), 1L), "SAME");
      }
      if (s.copies() > 1) {
        x = tf.concat(Collections.nCopies(s.copies(), x), tf.constant(3));
      }
      endpoints.add(new Endpoint(s.name(), x, s.stride(), channels * s.copies()));
    }
    return new Features(images, endpoints);
  }
}

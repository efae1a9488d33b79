package io.pixelwise.heads;

import com.typesafe.config.Config;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializer;
import io.pixelwise.api.graph.Layers;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import io.pixelwise.api.model.Head;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The FCN decoders of Long, Shelhamer and Darrell (2015): class scores by a 1x1 convolution on
 * the coarsest endpoint, upsampled by a learned transposed convolution, added to the scores of
 * the next finer endpoint, and so on; a last transposed convolution brings the fused scores to the
 * input size. With VGG16's {@code [fc7, pool4, pool3]} that is FCN-8s (x2, x2, x8), with
 * {@code [fc7, pool4]} FCN-16s (x2, x16) and with {@code [fc7]} FCN-32s (x32).
 *
 * <p>Transposed convolutions use kernel 2f for factor f and start as bilinear interpolation (or
 * from a random initialiser, as the seeds' {@code conv2d_transpose}). Optionally the skip
 * endpoints are scaled before scoring, as in the paper's "at-once" training (pool4 x 0.01, pool3
 * x 0.0001). Every stage is upsampled to the factor's multiple and cropped to the finer map, so
 * any input size works.
 */
public final class FcnHead implements Head {
  private final String key;
  private final List<String> endpoints;
  private final List<Double> skipScales;
  private final Initializer scoreInit;
  private final Initializer upsampleInit;
  private final boolean trainUpsampling;

  /**
   * @param key the config path of the options, for messages (e.g. {@code heads.fcn8})
   * @param endpoints backbone endpoints from coarsest to finest, strides decreasing by integer factors
   * @param skipScales empty, or a factor per skip endpoint (all but the first)
   */
  public FcnHead(
      String key,
      List<String> endpoints,
      List<Double> skipScales,
      Initializer scoreInit,
      Initializer upsampleInit,
      boolean trainUpsampling) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(key + ".endpoints: expected at least one backbone endpoint, e.g. [fc7, pool4, pool3]");
    }
    if (!skipScales.isEmpty() && skipScales.size() != endpoints.size() - 1) {
      throw new IllegalArgumentException(
          key + ".skip-scales: expected [] or one factor per skip endpoint (" + (endpoints.size() - 1)
              + " for endpoints " + endpoints + "), got " + skipScales);
    }
    this.key = key;
    this.endpoints = List.copyOf(endpoints);
    this.skipScales = List.copyOf(skipScales);
    this.scoreInit = scoreInit;
    this.upsampleInit = upsampleInit;
    this.trainUpsampling = trainUpsampling;
  }

  static FcnHead fromConfig(String key, Config options) {
    return new FcnHead(
        key,
        options.getStringList("endpoints"),
        options.getDoubleList("skip-scales"),
        Upsampling.initializerByName(key + ".score-init", options.getString("score-init"), ""),
        Upsampling.initializer(key + ".upsample-init", options.getString("upsample-init")),
        options.getBoolean("train-upsampling"));
  }

  @Override
  public Operand<TFloat32> build(GraphContext ctx, Features features, int numClasses) {
    Ops tf = ctx.tf();
    Endpoint coarse = endpoint(features, 0);
    Operand<TFloat32> scores =
        Layers.conv2d(ctx, "score_" + coarse.name(), coarse.tensor(), numClasses, 1, 1, false, scoreInit);
    int stride = coarse.stride();
    String at = coarse.name();
    for (int i = 1; i < endpoints.size(); i++) {
      Endpoint skip = endpoint(features, i);
      int factor = factor(stride, skip.stride(), at, skip.name());
      Operand<TFloat32> up =
          Upsampling.transposed(
              ctx, "up_" + at, scores, numClasses, factor, Layers.spatialSize(tf, skip.tensor()), upsampleInit, trainUpsampling);
      Operand<TFloat32> source = skip.tensor();
      if (!skipScales.isEmpty()) {
        source = tf.math.mul(source, tf.constant(skipScales.get(i - 1).floatValue()));
      }
      scores = tf.math.add(up, Layers.conv2d(ctx, "score_" + skip.name(), source, numClasses, 1, 1, false, scoreInit));
      stride = skip.stride();
      at = skip.name();
    }
    if (stride == 1) {
      return scores;
    }
    return Upsampling.transposed(
        ctx, "up_" + at, scores, numClasses, stride, Layers.spatialSize(tf, features.input()), upsampleInit, trainUpsampling);
  }

  private Endpoint endpoint(Features features, int i) {
    try {
      return features.endpoint(endpoints.get(i));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ".endpoints: " + e.getMessage(), e);
    }
  }

  private int factor(int coarse, int fine, String coarseName, String fineName) {
    if (fine >= coarse || coarse % fine != 0) {
      throw new IllegalArgumentException(
          key + ".endpoints: each endpoint must be finer than the one before by an integer factor, but "
              + fineName + " (stride " + fine + ") follows " + coarseName + " (stride " + coarse + ")");
    }
    return coarse / fine;
  }
}

package com.example.resnetlite;

import com.typesafe.config.Config;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializer;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.Layers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A small residual encoder in the style of ResNet (He et al., 2016), sized for CPU training:
 * a stride-2 3x3 stem, then stages of basic blocks ({@code conv3x3 -> norm -> relu -> conv3x3 ->
 * norm}, added to the block's input, then relu). The first block of each stage convolves with
 * stride 2 and projects its shortcut with a stride-2 1x1 convolution, so each stage halves the
 * resolution; there is no pooling.
 *
 * <p>Normalisation is group normalisation (Wu and He, 2018) rather than batch normalisation: it
 * has no moving statistics to keep, so it behaves the same in training and inference, and it does
 * not suffer at the small batch sizes segmentation uses. The last norm of every block starts with
 * a zero scale, so that every block starts as the identity and the deep path trains like a shallow
 * one at first (Goyal et al., 2017).
 *
 * <p>Endpoints, finest first: {@code stem} (stride 2), {@code stage1} (stride 4), ...,
 * {@code stage<n>} (stride 2^(n+1)). Variables live under the backbone's scope as
 * {@code stem/conv/kernel}, {@code stem/norm/{gamma,beta}},
 * {@code stage<s>/block<b>/{conv1,norm1,conv2,norm2,shortcut,shortcut_norm}/...}.
 */
public final class ResNetLiteBackbone implements Backbone {
  private static final float EPSILON = 1e-5f;

  private final int stemWidth;
  private final List<Integer> widths;
  private final int blocksPerStage;
  private final int groups;
  private final Initializer kernelInit;

  /**
   * @param stemWidth filters of the stride-2 stem convolution
   * @param widths filters of each stage
   * @param blocksPerStage residual blocks per stage, at least 1
   * @param groups channel groups of the group norms, or 0 for no normalisation
   */
  public ResNetLiteBackbone(int stemWidth, List<Integer> widths, int blocksPerStage, int groups, Initializer kernelInit) {
    if (stemWidth < 1 || widths.isEmpty() || widths.stream().anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException(
          "backbones.resnet-lite: stem-width and every entry of widths must be >= 1 and widths non-empty, got "
              + stemWidth + " and " + widths);
    }
    if (blocksPerStage < 1) {
      throw new IllegalArgumentException("backbones.resnet-lite.blocks-per-stage: must be >= 1, got " + blocksPerStage);
    }
    if (groups < 0) {
      throw new IllegalArgumentException("backbones.resnet-lite.groups: must be >= 0, got " + groups);
    }
    if (groups > 0) {
      List<Integer> all = new ArrayList<>(List.of(stemWidth));
      all.addAll(widths);
      List<Integer> bad = all.stream().filter(w -> w % groups != 0).toList();
      if (!bad.isEmpty()) {
        throw new IllegalArgumentException(
            "backbones.resnet-lite.groups = " + groups + " does not divide the widths " + bad
                + "; make stem-width and every entry of widths a multiple of it, or set groups = 0");
      }
    }
    this.stemWidth = stemWidth;
    this.widths = List.copyOf(widths);
    this.blocksPerStage = blocksPerStage;
    this.groups = groups;
    this.kernelInit = kernelInit;
  }

  static ResNetLiteBackbone fromConfig(Config options) {
    return new ResNetLiteBackbone(
        options.getInt("stem-width"),
        options.getIntList("widths"),
        options.getInt("blocks-per-stage"),
        options.getInt("groups"),
        Initializers.byName(options.getString("kernel-init")));
  }

  @Override
  public Features build(GraphContext ctx, Operand<TFloat32> images) {
    List<Endpoint> endpoints = new ArrayList<>();
    GraphContext stem = ctx.scope("stem");
    Operand<TFloat32> x = stem.tf().nn.relu(convNorm(stem, "conv", "norm", images, stemWidth, 3, 2, false));
    int stride = 2;
    endpoints.add(new Endpoint("stem", x, stride, stemWidth));
    for (int s = 0; s < widths.size(); s++) {
      String name = "stage" + (s + 1);
      GraphContext stage = ctx.scope(name);
      for (int b = 0; b < blocksPerStage; b++) {
        x = block(stage.scope("block" + (b + 1)), x, widths.get(s), b == 0 ? 2 : 1);
      }
      stride *= 2;
      endpoints.add(new Endpoint(name, x, stride, widths.get(s)));
    }
    return new Features(images, endpoints);
  }

  /** A basic residual block; with {@code stride} 2 or a change of width, the shortcut is projected. */
  private Operand<TFloat32> block(GraphContext ctx, Operand<TFloat32> x, int width, int stride) {
    Ops tf = ctx.tf();
    Operand<TFloat32> y = tf.nn.relu(convNorm(ctx, "conv1", "norm1", x, width, 3, stride, false));
    y = convNorm(ctx, "conv2", "norm2", y, width, 3, 1, true);
    Operand<TFloat32> shortcut =
        stride == 1 && Layers.channels(x, ctx.path()) == width ? x : convNorm(ctx, "shortcut", "shortcut_norm", x, width, 1, stride, false);
    return tf.nn.relu(tf.math.add(y, shortcut));
  }

  /** Convolution ('SAME' padding) then group norm; without norms, a biased convolution. */
  private Operand<TFloat32> convNorm(
      GraphContext ctx, String conv, String norm, Operand<TFloat32> x, int filters, int kernel, int stride, boolean zeroScale) {
    GraphContext c = ctx.scope(conv);
    ModelVariable w =
        c.variable("kernel", Shape.of(kernel, kernel, Layers.channels(x, c.path()), filters), kernelInit, VariableRole.WEIGHT);
    Operand<TFloat32> y =
        c.tf().nn.conv2d(x, w.value(), List.of(1L, (long) stride, (long) stride, 1L), "SAME");
    if (groups == 0) {
      ModelVariable b = c.variable("bias", Shape.of(filters), Initializers.zeros(), VariableRole.BIAS);
      return c.tf().nn.biasAdd(y, b.value());
    }
    return groupNorm(ctx.scope(norm), y, filters, zeroScale);
  }

  /**
   * Group normalisation: the channels are split into {@code groups} groups, and each group of each
   * image is normalised over its pixels and channels, then scaled and shifted per channel.
   */
  private Operand<TFloat32> groupNorm(GraphContext ctx, Operand<TFloat32> x, int channels, boolean zeroScale) {
    Ops tf = ctx.tf();
    Operand<TInt32> shape = tf.shape(x);
    // [N, H, W, C] -> [N, H, W, groups, C / groups]; height and width stay dynamic.
    Operand<TInt32> grouped =
        tf.concat(
            List.of(
                tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {3})),
                tf.constant(new int[] {groups, channels / groups})),
            tf.constant(0));
    Operand<TFloat32> g = tf.reshape(x, grouped);
    Operand<TInt32> axes = tf.constant(new int[] {1, 2, 4});
    Operand<TFloat32> mean = tf.math.mean(g, axes, Mean.keepDims(true));
    Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(g, mean), axes, Mean.keepDims(true));
    Operand<TFloat32> normalised =
        tf.math.mul(tf.math.sub(g, mean), tf.math.rsqrt(tf.math.add(variance, tf.constant(EPSILON))));
    // Reshaping by x's own shape keeps the static channel count that the next layer needs.
    Operand<TFloat32> y = tf.reshape(normalised, shape);
    ModelVariable gamma =
        ctx.variable("gamma", Shape.of(channels), Initializers.constant(zeroScale ? 0f : 1f), VariableRole.BIAS);
    ModelVariable beta = ctx.variable("beta", Shape.of(channels), Initializers.zeros(), VariableRole.BIAS);
    return tf.math.add(tf.math.mul(y, gamma.value()), beta.value());
  }
}

package io.pixelwise.backbones;

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
import io.pixelwise.api.model.PretrainedName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * VGG16 (Simonyan and Zisserman, 2014) as a fully convolutional encoder, the way FCN (Long et al.,
 * 2015) uses it: the 13 3x3 convolutions in 5 blocks of 2, 2, 3, 3, 3, each block followed by a
 * 2x2 max-pool, then the classifier's fc6 and fc7 recast as a 7x7 and a 1x1 convolution with
 * dropout while training. All convolutions use 'SAME' padding and pools round odd sizes up, so
 * any input size works: an endpoint of stride s is ceil(H/s) x ceil(W/s), and its pixel i is
 * centred on input pixel s*i + (s-1)/2 (pools pad at the end only).
 *
 * <p>Endpoints, finest first: {@code block1} (stride 1, the last conv of block 1 before its pool),
 * {@code pool1} (2), {@code block2} (2), {@code pool2} (4), {@code block3} (4), {@code pool3} (8),
 * {@code block4} (8), {@code pool4} (16), {@code block5} (16), {@code pool5} (32) and, unless the
 * fc layers are disabled, {@code fc7} (32).
 *
 * <p>Variables are named {@code block<b>/conv<c>/{kernel,bias}} and {@code fc6|fc7/{kernel,bias}}
 * under the backbone's scope. Frozen blocks get their variables as {@link VariableRole#STATE}: the
 * optimizer neither updates nor regularises them, and they are still saved in checkpoints.
 */
public final class Vgg16Backbone implements Backbone {
  /** Convolutions per block; what makes it VGG16. */
  static final int[] CONVS = {2, 2, 3, 3, 3};

  private final List<Integer> widths;
  private final List<Integer> fcWidths;
  private final int fc6Kernel;
  private final float dropout;
  private final Set<String> frozen;
  private final Initializer kernelInit;

  /**
   * @param widths filters of the convolutions of each of the 5 blocks (VGG16: 64, 128, 256, 512, 512)
   * @param fcWidths filters of fc6 and fc7 (VGG16: 4096, 4096), or empty for no fc layers
   * @param fc6Kernel square kernel of fc6 (VGG16: 7)
   * @param dropout drop probability after fc6 and fc7 while training, in [0, 1)
   * @param frozen names of blocks not to train: {@code block1..block5}, {@code fc6}, {@code fc7}
   */
  public Vgg16Backbone(
      List<Integer> widths, List<Integer> fcWidths, int fc6Kernel, double dropout, List<String> frozen, Initializer kernelInit) {
    if (widths.size() != CONVS.length || widths.stream().anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException(
          "backbones.vgg16.widths: expected 5 positive filter counts (one per block, VGG16: [64, 128, 256, 512, 512]), got "
              + widths);
    }
    if (!(fcWidths.isEmpty() || fcWidths.size() == 2) || fcWidths.stream().anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException(
          "backbones.vgg16.fc-widths: expected two positive filter counts for fc6 and fc7 (VGG16: [4096, 4096])"
              + " or [] for no fc layers, got " + fcWidths);
    }
    if (fc6Kernel < 1 || fc6Kernel % 2 == 0) {
      throw new IllegalArgumentException("backbones.vgg16.fc6-kernel: expected an odd size >= 1 (VGG16: 7), got " + fc6Kernel);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("backbones.vgg16.dropout: expected a drop probability in [0, 1), got " + dropout);
    }
    List<String> blocks = blockNames(!fcWidths.isEmpty());
    for (String f : frozen) {
      if (!blocks.contains(f)) {
        throw new IllegalArgumentException(
            "backbones.vgg16.freeze: unknown block '" + f + "'; expected names among " + String.join(", ", blocks));
      }
    }
    this.widths = List.copyOf(widths);
    this.fcWidths = List.copyOf(fcWidths);
    this.fc6Kernel = fc6Kernel;
    this.dropout = (float) dropout;
    this.frozen = new LinkedHashSet<>(frozen);
    this.kernelInit = kernelInit;
  }

  static Vgg16Backbone fromConfig(Config options) {
    return new Vgg16Backbone(
        options.getIntList("widths"),
        options.getIntList("fc-widths"),
        options.getInt("fc6-kernel"),
        options.getDouble("dropout"),
        options.getStringList("freeze"),
        Initializers.byName(options.getString("kernel-init")));
  }

  /** The names {@code freeze} accepts. */
  static List<String> blockNames(boolean withFc) {
    List<String> names = new ArrayList<>(List.of("block1", "block2", "block3", "block4", "block5"));
    if (withFc) {
      names.addAll(List.of("fc6", "fc7"));
    }
    return names;
  }

  @Override
  public Features build(GraphContext ctx, Operand<TFloat32> images) {
    List<Endpoint> endpoints = new ArrayList<>();
    Operand<TFloat32> x = images;
    int stride = 1;
    for (int b = 0; b < CONVS.length; b++) {
      String name = "block" + (b + 1);
      GraphContext block = ctx.scope(name);
      boolean train = !frozen.contains(name);
      for (int c = 0; c < CONVS[b]; c++) {
        x = conv(block, "conv" + (c + 1), x, widths.get(b), 3, train);
      }
      endpoints.add(new Endpoint(name, x, stride, widths.get(b)));
      x = Layers.maxPool(block, x, 2, 2);
      stride *= 2;
      endpoints.add(new Endpoint("pool" + (b + 1), x, stride, widths.get(b)));
    }
    if (!fcWidths.isEmpty()) {
      x = conv(ctx, "fc6", x, fcWidths.get(0), fc6Kernel, !frozen.contains("fc6"));
      x = Dropout.apply(ctx, "drop6", x, dropout);
      x = conv(ctx, "fc7", x, fcWidths.get(1), 1, !frozen.contains("fc7"));
      x = Dropout.apply(ctx, "drop7", x, dropout);
      endpoints.add(new Endpoint("fc7", x, stride, fcWidths.get(1)));
    }
    // Already finest first, as Features wants: a block's conv output shares its stride with the
    // previous pool and comes after it, being deeper.
    return new Features(images, endpoints);
  }

  /**
   * The names of the ImageNet VGG16 files people have: Keras' {@code
   * vgg16_weights_tf_dim_ordering_tf_kernels(_notop).h5} ({@code block1_conv1/block1_conv1_W_1:0};
   * files saved by Keras 2 use {@code block1_conv1/block1_conv1/kernel:0}), and {@code .npz}
   * files of named arrays, with Keras layer names ({@code block1_conv1/kernel}) or the caffe-style
   * names of the widespread {@code vgg16_weights.npz} ({@code conv1_1_W}). The classifier's dense
   * fc1/fc2 (fc6/fc7) become our 7x7 and 1x1 convolutions by reshaping; "notop" files lack them,
   * so they are optional.
   */
  @Override
  public List<PretrainedName> pretrainedNames() {
    List<PretrainedName> names = new ArrayList<>();
    for (int b = 1; b <= CONVS.length; b++) {
      for (int c = 1; c <= CONVS[b - 1]; c++) {
        String keras = "block" + b + "_conv" + c;
        String caffe = "conv" + b + "_" + c;
        names.add(layerName("block" + b + "/conv" + c, keras, caffe, "kernel", false));
        names.add(layerName("block" + b + "/conv" + c, keras, caffe, "bias", false));
      }
    }
    if (!fcWidths.isEmpty()) {
      names.add(layerName("fc6", "fc1", "fc6", "kernel", true));
      names.add(layerName("fc6", "fc1", "fc6", "bias", true));
      names.add(layerName("fc7", "fc2", "fc7", "kernel", true));
      names.add(layerName("fc7", "fc2", "fc7", "bias", true));
    }
    return names;
  }

  private static PretrainedName layerName(String ours, String keras, String caffe, String what, boolean optional) {
    String w = what.equals("kernel") ? "W" : "b";
    return new PretrainedName(
        ours + "/" + what,
        List.of(
            keras + "/" + keras + "_" + w + "_1:0",
            keras + "/" + keras + "/" + what + ":0",
            keras + "/" + what,
            caffe + "_" + w),
        optional,
        ours.equals("block1/conv1") && what.equals("kernel"));
  }

  /** 'SAME' convolution + bias + ReLU whose variables are trained or frozen. */
  private Operand<TFloat32> conv(
      GraphContext ctx, String name, Operand<TFloat32> x, int filters, int kernel, boolean train) {
    GraphContext layer = ctx.scope(name);
    Ops tf = layer.tf();
    long in = Layers.channels(x, layer.path());
    ModelVariable w =
        layer.variable("kernel", Shape.of(kernel, kernel, in, filters), kernelInit, train ? VariableRole.WEIGHT : VariableRole.STATE);
    ModelVariable b =
        layer.variable("bias", Shape.of(filters), Initializers.zeros(), train ? VariableRole.BIAS : VariableRole.STATE);
    Operand<TFloat32> y = tf.nn.biasAdd(tf.nn.conv2d(x, w.value(), List.of(1L, 1L, 1L, 1L), "SAME"), b.value());
    return tf.nn.relu(y);
  }
}

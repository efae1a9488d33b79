package io.pixelwise.engine;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.ModelVariable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TBool;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * In-graph data parallelism: one replica of the model per device, each on its slice of the batch,
 * sharing one copy of the variables; the replicas' gradients are combined into one.
 *
 * <p>A batch of n images is cut into contiguous slices of {@code ceil} or {@code floor(n / R)}
 * images (the first {@code n mod R} replicas get one more). Replica r's loss {@code L_r} is the
 * mean over its slice, so the batch's objective is {@code sum_r (n_r / n) L_r} and its gradient
 * {@code sum_r (n_r / n) dL_r}: for a per-pixel mean over images that all have the same number of
 * labelled pixels this is exactly the single-device loss and gradient, whatever n. A short batch
 * with fewer images than replicas leaves some replicas without images: they run on image 0 with
 * weight 0, since TensorFlow kernels are not all defined on empty input (TopKV2 needs k <= n).
 */
final class DataParallel {

  /** The combined data loss, per variable its combined gradient, and the images of the step. */
  record Result(Operand<TFloat32> dataLoss, List<Operand<TFloat32>> gradients, Operand<TFloat32> images) {}

  private DataParallel() {}

  /**
   * Builds the replicas.
   *
   * @param tf ops for the slicing and the combination (placed where the variables live)
   * @param root the context the first copy of the model was built with; replicas reuse its variables
   * @param devices one replica per device
   * @param tower builds one replica's data loss from its context and its slice of images and labels
   * @param variables the variables to differentiate, in order
   * @param lossScale null, or a scale S: each replica then differentiates its loss times S (loss
   *     scaling) and the gradients returned are the scaled ones; the losses are not scaled
   */
  static Result build(
      Ops tf,
      GraphContext root,
      List<DeviceSpec> devices,
      Operand<TUint8> images,
      Operand<TUint8> labels,
      TowerBuilder tower,
      List<ModelVariable> variables,
      Operand<TFloat32> lossScale) {
    Ops split = tf.withSubScope("split");
    Operand<TInt32> n = split.withName("images").squeeze(split.slice(split.shape(images), split.constant(new int[] {0}), split.constant(new int[] {1})));
    return build(tf, root, List.of(new Group(split, images, labels, n, devices)), tower, variables, lossScale);
  }

  /**
   * Images for consecutive replicas: {@code count} images (at least one image however, image 0
   * standing in when {@code count} is 0), sliced among {@code devices} by the rule above, with ops
   * {@code split} (placed where the images are).
   */
  record Group(Ops split, Operand<TUint8> images, Operand<TUint8> labels, Operand<TInt32> count, List<DeviceSpec> devices) {}

  /**
   * Builds the replicas of several groups, replica indices running on from group to group. Slicing
   * each group by the rule gives the same slices as slicing the groups' concatenation over all
   * replicas when the counts are the rule's own (a run of consecutive slices of the rule is the
   * rule's slicing of their sum), so a batch read in pieces trains like the whole batch.
   */
  static Result build(
      Ops tf, GraphContext root, List<Group> groups, TowerBuilder tower, List<ModelVariable> variables,
      Operand<TFloat32> lossScale) {
    Ops combine = tf.withSubScope("combine");
    List<Operand<TFloat32>> counts = new ArrayList<>();
    for (Group g : groups) {
      counts.add(combine.dtypes.cast(g.count(), TFloat32.class));
    }
    Operand<TFloat32> nFloat = counts.size() == 1 ? counts.get(0) : combine.withName("images").math.addN(counts);
    List<Operand<TFloat32>> weightedLosses = new ArrayList<>();
    List<List<Operand<TFloat32>>> weightedGrads = new ArrayList<>();
    int r = 0;
    for (Group group : groups) {
      Ops split = group.split();
      Operand<TUint8> images = group.images();
      Operand<TUint8> labels = group.labels();
      Operand<TInt32> n = group.count();
      int replicas = group.devices().size();
      Operand<TInt32> base = split.math.floorDiv(n, split.constant(replicas));
      Operand<TInt32> extra = split.math.floorMod(n, split.constant(replicas));
      for (int i = 0; i < replicas; i++, r++) {
        Operand<TInt32> rc = split.constant(i);
        // n_i = base + (i < extra), start_i = i * base + min(i, extra)
        Operand<TInt32> count = split.math.add(base, split.dtypes.cast(split.math.less(rc, extra), TInt32.class));
        Operand<TInt32> start = split.math.add(split.math.mul(rc, base), split.math.minimum(rc, extra));
        // An empty slice becomes image 0, weighted 0.
        Operand<TInt32> nonEmpty = split.math.minimum(count, split.constant(1));
        Operand<TInt32> from = split.math.mul(start, nonEmpty);
        Operand<TInt32> size = split.math.maximum(count, split.constant(1));
        Operand<TInt32> begin = split.expandDims(from, split.constant(0));
        Operand<TInt32> length = split.expandDims(size, split.constant(0));
        Operand<TUint8> myImages =
            split.slice(images, split.concat(List.of(begin, split.constant(new int[] {0, 0, 0})), split.constant(0)),
                split.concat(List.of(length, split.constant(new int[] {-1, -1, -1})), split.constant(0)));
        Operand<TUint8> myLabels =
            split.slice(labels, split.concat(List.of(begin, split.constant(new int[] {0, 0})), split.constant(0)),
                split.concat(List.of(length, split.constant(new int[] {-1, -1})), split.constant(0)));
        Operand<TFloat32> weight = combine.math.divNoNan(combine.dtypes.cast(count, TFloat32.class), nFloat);

        Replica replica = replica(tf, r, group.devices().get(i), root, myImages, myLabels, tower, variables, lossScale);
        Operand<TFloat32> loss = replica.loss();
        List<Operand<TFloat32>> grads = replica.gradients();
        weightedLosses.add(combine.math.mul(weight, loss));
        List<Operand<TFloat32>> scaled = new ArrayList<>();
        for (Operand<TFloat32> g : grads) {
          scaled.add(combine.math.mul(weight, g));
        }
        weightedGrads.add(scaled);
      }
    }
    List<Operand<TFloat32>> sums = new ArrayList<>();
    for (int v = 0; v < variables.size(); v++) {
      List<Operand<TFloat32>> terms = new ArrayList<>();
      for (List<Operand<TFloat32>> g : weightedGrads) {
        terms.add(g.get(v));
      }
      sums.add(combine.math.addN(terms));
    }
    return new Result(combine.withName("data_loss").math.addN(weightedLosses), sums, nFloat);
  }

  /** Builds one replica's data loss. */
  @FunctionalInterface
  interface TowerBuilder {
    Operand<TFloat32> build(GraphContext replica, Operand<TUint8> images, Operand<TUint8> labels);
  }

  private record Replica(Operand<TFloat32> loss, List<Operand<TFloat32>> gradients) {}

  /**
   * Builds replica r, loss and gradients, in a graph of its own and imports it under
   * {@code replica_r} with every node on the replica's device. (Gradients added to the main graph
   * by the C API carry no device, so TensorFlow's placer would run every replica's backward pass
   * on the first device; an import can give all of them a default device.)
   */
  private static Replica replica(
      Ops tf,
      int r,
      DeviceSpec device,
      GraphContext root,
      Operand<TUint8> images,
      Operand<TUint8> labels,
      TowerBuilder tower,
      List<ModelVariable> variables,
      Operand<TFloat32> lossScale) {
    Graph main = (Graph) tf.scope().env();
    GraphDef def;
    List<String> names;
    Map<String, Output<?>> inputs = new LinkedHashMap<>();
    try (Graph own = new Graph()) {
      Ops s = Ops.create(own);
      Placeholder<TUint8> im = s.withName("images").placeholder(TUint8.class, Placeholder.shape(images.shape()));
      Placeholder<TUint8> lb = s.withName("labels").placeholder(TUint8.class, Placeholder.shape(labels.shape()));
      Placeholder<TBool> training = s.withName("training").placeholder(TBool.class, Placeholder.shape(Shape.scalar()));
      inputs.put("images", images.asOutput());
      inputs.put("labels", labels.asOutput());
      inputs.put("training", root.training().asOutput());
      Placeholder<TFloat32> scale = null;
      if (lossScale != null) {
        scale = s.withName("loss_scale").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        inputs.put("loss_scale", lossScale.asOutput());
      }
      int[] standIns = {0};
      GraphContext ctx =
          root.replica(s, training, v -> {
            String name = "variable_" + standIns[0]++;
            inputs.put(name, v.value().asOutput());
            // A replica reads the variables; the first copy's handles (and their updates) stay with it.
            return new ModelVariable(v.path(), v.shape(), v.role(), null,
                s.withName(name).placeholder(TFloat32.class, Placeholder.shape(v.shape())));
          });
      Operand<TFloat32> loss = tower.build(ctx, im, lb);
      // Names as the graph made them unique (a "loss" scope exists already).
      List<String> outputs = new ArrayList<>();
      outputs.add(s.withName("loss").identity(loss).op().name());
      Output<?>[] xs = new Output<?>[variables.size()];
      for (int i = 0; i < xs.length; i++) {
        ModelVariable stand = ctx.replicaVariables().get(variables.get(i).path());
        if (stand == null) {
          throw new IllegalStateException(
              "replica " + r + " does not use variable '" + variables.get(i).path() + "': every copy of the model must"
                  + " build the same layers");
        }
        xs[i] = stand.value().asOutput();
      }
      Operand<TFloat32> objective = scale == null ? loss : s.withName("scaled_loss").math.mul(loss, scale);
      Output<?>[] dys = own.addGradients(objective.asOutput(), xs);
      for (int i = 0; i < dys.length; i++) {
        if (dys[i] == null) {
          throw new IllegalStateException(
              "variable '" + variables.get(i).path() + "' does not influence the loss (no gradient); "
                  + "create it with VariableRole.STATE if it is not meant to be trained");
        }
        outputs.add(s.withName("gradient_" + i).identity(dys[i]).op().name());
      }
      def = own.toGraphDef();
      names = outputs;
    }
    String prefix = "replica_" + r;
    NativeGraphs.importGraphDef(main, def, prefix, device.toString(), inputs);
    List<Operand<TFloat32>> grads = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      grads.add(output(main, prefix + "/" + names.get(i + 1)));
    }
    return new Replica(output(main, prefix + "/" + names.get(0)), grads);
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> output(Graph g, String op) {
    return (Operand<TFloat32>) (Operand<?>) g.operationOrThrow(op).output(0);
  }
}

package io.pixelwise.engine;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.api.model.Features;
import io.pixelwise.api.model.Head;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssignVariableOp;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The whole segmentation graph, built once: input normalisation, backbone, head, loss with weight
 * decay, gradients, optimizer update, arg-max predictions, and checkpoint save/restore ops.
 *
 * <p>Images enter as uint8 NHWC and labels as uint8 NHW (4x less to copy than float); height and
 * width are dynamic, so prediction works at any size.
 */
public final class SegmentationGraph implements AutoCloseable {

  /**
   * How the graph is put together.
   *
   * @param binary one foreground logit per pixel (sigmoid; 2 classes, predicted foreground where
   *     the logit is above 0) instead of one logit per class (softmax, arg-max)
   * @param lossScale dynamic loss scaling of the training step (float16 training), or null for none
   */
  public record Spec(
      Backbone backbone,
      Head head,
      Loss loss,
      ClassInfo classes,
      boolean binary,
      int channels,
      float[] mean,
      float[] std,
      float weightDecay,
      Optimizer optimizer,
      long seed,
      LossScale lossScale) {

    /** Without loss scaling. */
    public Spec(
        Backbone backbone, Head head, Loss loss, ClassInfo classes, boolean binary, int channels, float[] mean,
        float[] std, float weightDecay, Optimizer optimizer, long seed) {
      this(backbone, head, loss, classes, binary, channels, mean, std, weightDecay, optimizer, seed, null);
    }

    /** This spec with {@code lossScale} (null: none). */
    public Spec withLossScale(LossScale lossScale) {
      return new Spec(backbone, head, loss, classes, binary, channels, mean, std, weightDecay, optimizer, seed, lossScale);
    }
  }

  /** The name scope, and variable path prefix, of the backbone. */
  public static final String BACKBONE_SCOPE = "backbone";

  final Graph graph;
  final Placeholder<TUint8> images;
  final Placeholder<TUint8> labels;
  final Operand<TBool> training;
  final Placeholder<TFloat32> learningRate;
  final Placeholder<TFloat32> updateNumber;
  final Operand<TFloat32> logits;
  final Features features;
  final Operand<TUint8> predictions;
  final Operand<TFloat32> probabilities;
  final Operand<TFloat32> dataLoss;
  final Operand<TFloat32> totalLoss;
  /** The training step's losses: those above with one device, the replicas' combination with several. */
  final Operand<TFloat32> trainDataLoss;
  final Operand<TFloat32> trainTotalLoss;
  /** With workers reading shards: the images of the training step, all tasks' (the fed batch holds the chief's only). */
  final Operand<TFloat32> trainImages;
  /** With workers reading shards: the {@link Shards.Start} message, and the op sending it to every worker. */
  final Placeholder<TInt64> startMessage;
  final Op startWorkers;
  /** Devices the training step is replicated over; empty or one = no replication. */
  final List<DeviceSpec> devices;
  final Op trainOp;
  /** Whether the step's update was applied; null without loss scaling (always applied). */
  final Operand<TBool> stepApplied;
  /** The loss scale the step used; null without loss scaling. */
  final Operand<TFloat32> lossScale;
  /** Restores the loss scale's variables alone (null without): a checkpoint made at another precision lacks them. */
  final Op restoreLossScale;
  final LossScaling lossScaling;
  final List<ModelVariable> modelVariables;
  final List<ModelVariable> allVariables;
  final Placeholder<TString> checkpointPrefix;
  final Op save;
  final Op restore;
  private final ClassInfo classes;
  private final Backbone backbone;

  public SegmentationGraph(Spec spec) {
    this(spec, List.of());
  }

  /**
   * A graph whose training step runs one replica per device, each on its share of the batch (see
   * {@link DataParallel}); evaluation and prediction use one copy on the first device. With one
   * device the whole graph is placed on it; with none TensorFlow places it.
   */
  public SegmentationGraph(Spec spec, List<DeviceSpec> devices) {
    this(spec, devices, false);
  }

  /**
   * As above; with {@code workersReadShards} (devices on several cluster tasks) the images fed are
   * the chief's (task 0's) share of each batch only, and every other task's replicas take theirs
   * from the queue its worker fills ({@link Shards}).
   */
  public SegmentationGraph(Spec spec, List<DeviceSpec> devices, boolean workersReadShards) {
    if (spec.mean().length != spec.channels() || spec.std().length != spec.channels()) {
      throw new IllegalArgumentException(
          "data.mean and data.std need one value per channel (" + spec.channels() + "), got "
              + spec.mean().length + " and " + spec.std().length);
    }
    if (spec.binary() && spec.classes().size() != 2) {
      throw new IllegalArgumentException(
          "a binary (sigmoid) model needs 2 classes, got " + spec.classes().size());
    }
    this.classes = spec.classes();
    this.backbone = spec.backbone();
    this.devices = List.copyOf(devices);
    graph = new Graph();
    Ops tf = devices.isEmpty() ? Ops.create(graph) : Ops.create(graph).withDevice(devices.get(0));
    Ops input = tf.withSubScope("input");
    images = input.withName("images").placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, -1, -1, spec.channels())));
    labels = input.withName("labels").placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, -1, -1)));
    training = input.withName("training").placeholderWithDefault(tf.constant(false), Shape.scalar());
    learningRate = input.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    updateNumber = input.withName("update_number").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

    Operand<TFloat32> normalized = normalize(input, images, spec.mean(), spec.std());

    GraphContext root = GraphContext.root(tf, training, spec.seed());
    features = spec.backbone().build(root.scope(BACKBONE_SCOPE), normalized);
    logits = spec.head().build(root.scope("head"), features, outputChannels(spec));
    Ops out = tf.withSubScope("output");
    predictions = classIds(out, "predictions", logits, spec.binary());
    probabilities = classProbabilities(out, "probabilities", logits, spec.binary());
    modelVariables = root.variables();

    dataLoss = spec.loss().build(root.scope("loss"), logits, labels, spec.classes());
    Ops lossOps = tf.withSubScope("objective");
    Operand<TFloat32> decay = weightDecay(lossOps, modelVariables, spec.weightDecay());
    // Without decay the total is still a tensor of its own: a step fetches both, and a session
    // refuses to fetch one tensor twice.
    totalLoss = decay != null ? lossOps.math.add(dataLoss, decay) : lossOps.withName("total").identity(dataLoss);

    List<ModelVariable> trainable = modelVariables.stream().filter(v -> v.role().trainable()).toList();
    lossScaling = spec.lossScale() == null ? null : new LossScaling(root, spec.lossScale());
    lossScale = lossScaling == null ? null : lossScaling.scale();
    if (workersReadShards && devices.stream().map(DeviceSpec::task).distinct().count() < 2) {
      throw new IllegalArgumentException("workers can read shards only with devices on several cluster tasks, got " + devices);
    }
    Passes passes = trainingPasses(tf, root, spec, devices, workersReadShards, trainable);
    startMessage = passes.startMessage();
    startWorkers = passes.startWorkers();
    trainImages = passes.trainImages();
    trainDataLoss = passes.trainDataLoss();
    List<Operand<TFloat32>> gradients = passes.gradients();
    trainTotalLoss = workersReadShards || devices.size() > 1
        ? replicatedTotal(tf, lossOps, decay, trainable, gradients)
        : totalLoss;
    TrainStep step = trainStep(tf, root, spec, trainable, gradients);
    trainOp = step.op();
    stepApplied = step.applied();
    allVariables = root.variables();

    Ops ckpt = tf.withSubScope("checkpoint");
    checkpointPrefix = ckpt.withName("prefix").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    String[] names = allVariables.stream().map(ModelVariable::path).toArray(String[]::new);
    var nameTensor = ckpt.constant(NdArrays.vectorOfObjects(names));
    var slices = ckpt.constant(NdArrays.vectorOfObjects(emptyStrings(names.length)));
    save = ckpt.train.save(checkpointPrefix, nameTensor, slices, new ArrayList<>(allVariables.stream().map(ModelVariable::value).toList()));
    // The loss scale is restored apart, so that a checkpoint without it (a run at another precision) still loads.
    List<ModelVariable> scaleVariables = lossScaling == null ? List.of() : lossScaling.variables();
    restore = restoreOp(ckpt, allVariables.stream().filter(v -> !scaleVariables.contains(v)).toList());
    restoreLossScale = lossScaling == null ? null : restoreOp(ckpt.withSubScope(LossScale.SCOPE), scaleVariables);
  }

  /** {@code weightDecay} times the sum of the regularised variables' L2 losses; null for none. */
  private static Operand<TFloat32> weightDecay(Ops lossOps, List<ModelVariable> variables, float weightDecay) {
    List<Operand<TFloat32>> decayTerms = new ArrayList<>();
    for (ModelVariable v : variables) {
      if (v.role().regularized()) {
        decayTerms.add(lossOps.nn.l2Loss(v.value()));
      }
    }
    return weightDecay > 0 && !decayTerms.isEmpty()
        ? lossOps.math.mul(lossOps.constant(weightDecay), lossOps.math.addN(decayTerms))
        : null;
  }

  /**
   * The training step's forward and backward passes: in one piece on one device, replicated over
   * {@code devices} (each replica on its share of the batch), or with the other cluster tasks'
   * shares taken from their workers' queues.
   *
   * @param startMessage the cluster start message fed to the workers (shards only, else null)
   * @param startWorkers sends it (shards only, else null)
   * @param trainImages the images the step trained on across all tasks (shards only, else null)
   * @param gradients of the trainable variables, in their order, unscaled
   */
  private record Passes(
      Placeholder<TInt64> startMessage, Op startWorkers, Operand<TFloat32> trainImages, Operand<TFloat32> trainDataLoss,
      List<Operand<TFloat32>> gradients) {}

  private Passes trainingPasses(
      Ops tf, GraphContext root, Spec spec, List<DeviceSpec> devices, boolean workersReadShards,
      List<ModelVariable> trainable) {
    DataParallel.TowerBuilder towers = (ctx, im, lb) -> {
      Operand<TFloat32> x = normalize(ctx.tf().withSubScope("input"), im, spec.mean(), spec.std());
      Features f = spec.backbone().build(ctx.scope(BACKBONE_SCOPE), x);
      Operand<TFloat32> z = spec.head().build(ctx.scope("head"), f, outputChannels(spec));
      return spec.loss().build(ctx.scope("loss"), z, lb, spec.classes());
    };
    if (workersReadShards) {
      Ops send = tf.withSubScope("shards");
      Placeholder<TInt64> startMessage = send.withName("start").placeholder(TInt64.class, Placeholder.shape(Shape.of(Shards.Start.LENGTH)));
      List<Op> sends = new ArrayList<>();
      List<DataParallel.Group> groups = new ArrayList<>();
      Operand<TInt64> update = send.dtypes.cast(updateNumber, TInt64.class);
      for (int task : devices.stream().map(DeviceSpec::task).distinct().toList()) {
        List<DeviceSpec> local = devices.stream().filter(d -> d.task() == task).toList();
        if (groups.isEmpty()) {
          // The chief's own share is fed, as without shards.
          Ops split = tf.withSubScope("split");
          Operand<TInt32> n = split.withName("images").squeeze(
              split.slice(split.shape(images), split.constant(new int[] {0}), split.constant(new int[] {1})));
          groups.add(new DataParallel.Group(split, images, labels, n, local));
          continue;
        }
        sends.add(Shards.sendStart(send, task, startMessage));
        Ops there = tf.withSubScope("shard_" + task).withDevice(Shards.cpu(task));
        Shards.Dequeued d = Shards.dequeue(there, task);
        // A slice left in the queue by an earlier chief (the worker was not restarted) is refused.
        Op same = there.assertThat(there.math.equal(d.update(), update), List.of(
            there.constant("cluster worker task " + task + " sent its slice of update"), d.update(),
            there.constant("for update"), update,
            there.constant("(a worker left over from an earlier run?): restart the workers")));
        // Queue elements carry no static shape; the replicas need the channel count the fed images have.
        Ops checked = there.withControlDependencies(List.of(same));
        groups.add(new DataParallel.Group(there, checked.ensureShape(d.images(), images.shape()),
            checked.ensureShape(d.labels(), labels.shape()), d.count(), local));
      }
      Op startWorkers = send.withName("send_start").withControlDependencies(sends).noOp();
      DataParallel.Result replicated = DataParallel.build(tf, root, groups, towers, trainable, lossScale);
      return new Passes(startMessage, startWorkers, replicated.images(), replicated.dataLoss(),
          unscaled(tf, lossScaling, replicated.gradients()));
    } else if (devices.size() > 1) {
      DataParallel.Result replicated = DataParallel.build(tf, root, devices, images, labels, towers, trainable, lossScale);
      return new Passes(null, null, null, replicated.dataLoss(), unscaled(tf, lossScaling, replicated.gradients()));
    } else {
      return new Passes(null, null, null, dataLoss, lossScaling == null
          ? gradients(tf, totalLoss, trainable)
          : lossScaling.unscale(tf, gradients(tf, lossScaling.scaled(tf, totalLoss), trainable)));
    }
  }

  /**
   * The replicated step's total loss; weight decay is a function of the shared variables alone,
   * so its gradient is taken once and added to the replicas' gradients ({@code gradients}, in place).
   */
  private Operand<TFloat32> replicatedTotal(
      Ops tf, Ops lossOps, Operand<TFloat32> decay, List<ModelVariable> trainable, List<Operand<TFloat32>> gradients) {
    if (decay == null) {
      return lossOps.withName("train_total").identity(trainDataLoss);
    }
    Operand<TFloat32> total = lossOps.withName("train_total").math.add(trainDataLoss, decay);
    List<ModelVariable> decayed = trainable.stream().filter(v -> v.role().regularized()).toList();
    List<Operand<TFloat32>> decayGrads = gradients(tf, decay, decayed);
    for (int i = 0, j = 0; i < trainable.size(); i++) {
      if (trainable.get(i).role().regularized()) {
        gradients.set(i, lossOps.math.add(gradients.get(i), decayGrads.get(j++)));
      }
    }
    return total;
  }

  /** The op that applies one update, and whether it did (loss scaling: null without). */
  private record TrainStep(Op op, Operand<TBool> applied) {}

  /**
   * The optimizer's update of {@code trainable} from {@code gradients}, with the state updates
   * (batch norm's moving statistics); under loss scaling all of it gated on finite gradients.
   */
  private TrainStep trainStep(Ops tf, GraphContext root, Spec spec, List<ModelVariable> trainable, List<Operand<TFloat32>> gradients) {
    // State updates (batch norm's moving statistics) run with the training step only, so that
    // evaluation and prediction never change them. With several replicas they are the first
    // copy's, computed on the whole batch (replicas register none): an extra forward pass on the
    // first device, for statistics equal to a single device's.
    List<Op> stateUpdates = root.stateUpdates();
    if (lossScaling == null) {
      Op optimizerStep =
          spec.optimizer().apply(root.scope("optimizer"), trainable, afterAll(tf, gradients), learningRate, updateNumber);
      if (stateUpdates.isEmpty()) {
        return new TrainStep(optimizerStep, null);
      }
      List<Op> all = new ArrayList<>(stateUpdates);
      all.add(optimizerStep);
      return new TrainStep(tf.withSubScope("train_step").withControlDependencies(all).noOp(), null);
    } else {
      // A step with a gradient that is not finite changes neither the weights, nor the optimizer's
      // slots, nor the moving statistics (a forward pass that overflowed would make them inf for
      // good): the update and the state updates only see values gated on all gradients finite.
      Operand<TBool> finite = LossScaling.allFinite(tf, gradients);
      List<Operand<TFloat32>> gated = gradients.stream().map(g -> LossScaling.whenFinite(tf, g, finite)).toList();
      List<Op> updates = new ArrayList<>();
      updates.add(spec.optimizer().apply(root.scope("optimizer"), trainable, gated, learningRate, updateNumber));
      Ops stateOps = tf.withSubScope("state_updates");
      for (Op update : stateUpdates) {
        // The registered assignment is rebuilt on the gated value; the original is never run.
        GraphOperation assign = (GraphOperation) update.op();
        updates.add(stateOps.assignVariableOp(
            NativeGraphs.input(graph, assign, 0), LossScaling.whenFinite(tf, floatInput(graph, assign, 1), finite)));
      }
      LossScaling.Step step = lossScaling.finish(tf, finite, updates);
      return new TrainStep(step.op(), step.applied());
    }
  }

  /** Reads {@code variables} from the checkpoint at {@link #checkpointPrefix} and assigns them. */
  private Op restoreOp(Ops ckpt, List<ModelVariable> variables) {
    String[] names = variables.stream().map(ModelVariable::path).toArray(String[]::new);
    List<Class<? extends TType>> types = new ArrayList<>();
    variables.forEach(v -> types.add(TFloat32.class));
    Restore restored = ckpt.train.restore(
        checkpointPrefix, ckpt.constant(NdArrays.vectorOfObjects(names)),
        ckpt.constant(NdArrays.vectorOfObjects(emptyStrings(names.length))), types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      // validate_shape: without it the variable silently took the checkpoint's shape, so a
      // checkpoint of a wider model restored into a narrower config and ran as the wider one.
      assigns.add(ckpt.assignVariableOp(
          variables.get(i).handle(), restored.tensors().get(i), AssignVariableOp.validateShape(true)));
    }
    return ckpt.withControlDependencies(assigns).noOp();
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> floatInput(Graph graph, GraphOperation op, int index) {
    return (Operand<TFloat32>) (Operand<?>) NativeGraphs.input(graph, op, index);
  }

  /** The replicas' weighted sum of gradients, each differentiated from its loss times S: unscaled once. */
  private static List<Operand<TFloat32>> unscaled(Ops tf, LossScaling scaling, List<Operand<TFloat32>> gradients) {
    return new ArrayList<>(scaling == null ? gradients : scaling.unscale(tf, gradients));
  }

  /** The head's output channels: one logit per class, or one foreground logit for a binary model. */
  static int outputChannels(Spec spec) {
    return spec.binary() ? 1 : spec.classes().size();
  }

  /**
   * Class ids, NHW uint8: the arg-max, or foreground where a binary model's logit is above 0.
   *
   * @param name the name of the result op (its inputs are named by {@code tf}'s scope)
   */
  static Operand<TUint8> classIds(Ops tf, String name, Operand<TFloat32> logits, boolean binary) {
    if (binary) {
      Operand<TBool> foreground = tf.math.greater(tf.squeeze(logits, Squeeze.axis(List.of(3L))), tf.constant(0f));
      return tf.withName(name).dtypes.cast(foreground, TUint8.class);
    }
    return tf.withName(name).dtypes.cast(tf.math.argMax(logits, tf.constant(3)), TUint8.class);
  }

  /**
   * Class probabilities, NHWC with one channel per class: the softmax, or {@code [1 - sigmoid(z),
   * sigmoid(z)]} for a binary model, so that consumers see two classes either way.
   */
  static Operand<TFloat32> classProbabilities(Ops tf, String name, Operand<TFloat32> logits, boolean binary) {
    if (binary) {
      Operand<TFloat32> foreground = tf.math.sigmoid(logits);
      return tf.withName(name).concat(List.of(tf.math.sub(tf.constant(1f), foreground), foreground), tf.constant(3));
    }
    return tf.withName(name).nn.softmax(logits);
  }

  /**
   * (x - mean) / std of uint8 NHWC images, as float, correctly rounded. The images are divided as
   * rows of width x channels values by mean and std tiled to that length: TensorFlow's CPU kernels
   * broadcast a 3-wide vector one element at a time but a row-wide one in whole vector registers
   * (about 3x faster: docs/performance.md, "Where a training step goes"). A
   * constant divisor would also be turned into a multiplication by its reciprocal by Grappler, 1 ulp off.
   */
  static Operand<TFloat32> normalize(Ops input, Operand<TUint8> images, float[] mean, float[] std) {
    Operand<TInt32> shape = input.shape(images);
    Operand<TInt32> width = input.gather(shape, input.constant(new int[] {2}), input.constant(0));
    Operand<TInt32> rowLength = input.math.mul(width, input.constant(mean.length));
    Operand<TFloat32> rows = input.reshape(
        input.dtypes.cast(images, TFloat32.class), input.concat(List.of(input.constant(new int[] {-1}), rowLength), input.constant(0)));
    Operand<TFloat32> normalized =
        input.math.div(input.math.sub(rows, input.tile(input.constant(mean), width)), input.tile(input.constant(std), width));
    // The row view hides the channel count from shape inference, which the backbone needs.
    return input.ensureShape(input.reshape(normalized, shape), Shape.of(-1, -1, -1, mean.length));
  }

  /**
   * The gradients, each available only once all are computed. An update that runs while another
   * gradient op still has to read the weights it changes makes TensorFlow copy the variable first
   * (copy-on-write), which for VGG16's fc6 is hundreds of MiB at the peak (docs/performance.md).
   * (With loss scaling the finiteness
   * check already waits for all.)
   */
  private static List<Operand<TFloat32>> afterAll(Ops tf, List<Operand<TFloat32>> gradients) {
    Ops ready = tf.withSubScope("gradients_ready")
        .withControlDependencyOps(gradients.stream().map(Operand::op).distinct().toList());
    return gradients.stream().<Operand<TFloat32>>map(ready::identity).toList(); // an Identity passes its input's buffer on, no copy
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<TFloat32>> gradients(Ops tf, Operand<TFloat32> loss, List<ModelVariable> vars) {
    Output<?>[] xs = vars.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new);
    Output<?>[] dys = tf.scope().env() instanceof Graph g ? g.addGradients(loss.asOutput(), xs) : null;
    List<Operand<TFloat32>> grads = new ArrayList<>();
    for (int i = 0; i < dys.length; i++) {
      if (dys[i] == null) {
        throw new IllegalStateException(
            "variable '" + vars.get(i).path() + "' does not influence the loss (no gradient); "
                + "create it with VariableRole.STATE if it is not meant to be trained");
      }
      grads.add((Operand<TFloat32>) dys[i]);
    }
    return grads;
  }

  private static String[] emptyStrings(int n) {
    String[] s = new String[n];
    java.util.Arrays.fill(s, "");
    return s;
  }

  public ClassInfo classes() {
    return classes;
  }

  /** The encoder the graph was built with (for its pretrained weight names). */
  public Backbone backbone() {
    return backbone;
  }

  public List<ModelVariable> modelVariables() {
    return modelVariables;
  }

  /** Model variables plus optimizer slots: everything a checkpoint holds. */
  public List<ModelVariable> allVariables() {
    return allVariables;
  }

  /** Whether the workers of a cluster feed their own shards of each batch (the chief feeds its own). */
  public boolean workersReadShards() {
    return startWorkers != null;
  }

  /** Devices the training step is replicated over (empty: not replicated, placed by TensorFlow). */
  public List<DeviceSpec> devices() {
    return devices;
  }

  public long parameterCount() {
    return modelVariables.stream().filter(v -> v.role().trainable()).mapToLong(ModelVariable::size).sum();
  }

  @Override
  public void close() {
    graph.close();
  }
}

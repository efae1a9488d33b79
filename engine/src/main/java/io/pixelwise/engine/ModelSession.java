package io.pixelwise.engine;

import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.engine.input.Batch;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/** A TensorFlow session over a {@link SegmentationGraph}: one method per kind of step. */
public final class ModelSession implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelSession.class);

  /**
   * What one training step did.
   *
   * @param total the loss with weight decay
   * @param data the data loss
   * @param applied whether the update was applied: false only under loss scaling, for a step whose
   *     gradients were not finite (it changed nothing but the scale)
   * @param lossScale the loss scale the step used; 1 without loss scaling
   * @param images the step's images: all tasks', where the workers read shards (the batch fed is
   *     the chief's share only)
   */
  public record StepLoss(float total, float data, boolean applied, float lossScale, int images) {}

  private record AssignOp(Operand<TFloat32> value, Op assign) {}

  private final SegmentationGraph g;
  private final Session session;
  private final int interOpThreads;
  private final Map<String, AssignOp> assignOps = new HashMap<>();

  /**
   * @param intraOpThreads 0 lets TensorFlow choose
   * @param interOpThreads 0 lets TensorFlow choose
   */
  public ModelSession(SegmentationGraph graph, int intraOpThreads, int interOpThreads) {
    this(graph, intraOpThreads, interOpThreads, null);
  }

  /** As {@link #ModelSession(SegmentationGraph, EngineOptions, Cluster)} with TensorFlow's defaults otherwise. */
  public ModelSession(SegmentationGraph graph, int intraOpThreads, int interOpThreads, Cluster cluster) {
    this(graph, new EngineOptions(Device.CPU, graph.devices(), intraOpThreads, interOpThreads, false, Map.of()), cluster);
  }

  /** A session in this process configured by {@code runtime.*} (device, threads, XLA, graph optimisations). */
  public ModelSession(SegmentationGraph graph, EngineOptions options) {
    this(graph, options, null);
  }

  /**
   * A session on {@code cluster}'s chief, whose server (started by {@link Cluster#serve}) runs the
   * replicas placed on other tasks there; a step that waits on the cluster longer than its step
   * timeout fails. In process if {@code cluster} is null.
   */
  public ModelSession(SegmentationGraph graph, EngineOptions options, Cluster cluster) {
    this.g = graph;
    ConfigProto.Builder builder =
        options.sessionConfig(graph.parameterCount(), OneDnnChoice.activeInThisProcess()).toBuilder();
    interOpThreads = builder.getInterOpParallelismThreads();
    if (interOpThreads != options.interOpThreads()) {
      LOG.info("one op at a time (runtime.inter-op-threads = 0, and a model of {} M parameters on oneDNN's CPU kernels:"
          + " peak memory is lower this way; set it to 2 or more for ~10% more speed where memory allows)",
          graph.parameterCount() / 1_000_000);
    }
    int cpus = Devices.localCpuDevices(graph.devices());
    if (cpus > 1) {
      builder.putDeviceCount("CPU", cpus); // replicas on cpu:1, cpu:2, ... need those devices to exist
    }
    if (cluster != null) {
      builder.setOperationTimeoutInMs(cluster.stepTimeoutMs());
    }
    ConfigProto config = builder.build();
    this.session =
        cluster == null ? new Session(graph.graph, false, config) : NativeSessions.open(graph.graph, cluster.target(), config);
  }

  /** The session's inter-op thread count (0: TensorFlow's choice), as {@link EngineOptions#interOpThreadsFor} chose it. */
  public int interOpThreads() {
    return interOpThreads;
  }

  /** Gives every variable its initial value (a fresh run); a restore overwrites them afterwards. */
  public void initialize() {
    session.initialize();
  }

  /** One optimisation step; {@code update} is the 1-based number of this update. */
  public StepLoss train(Batch batch, float learningRate, long update) {
    TUint8 images = batch.imageTensor();
    TUint8 labels = batch.labelTensor();
    try (TBool training = TBool.scalarOf(true);
        TFloat32 lr = TFloat32.scalarOf(learningRate);
        TFloat32 t = TFloat32.scalarOf(update)) {
      Session.Runner runner =
          session
              .runner()
              .feed(g.images, images)
              .feed(g.labels, labels)
              .feed(g.training, training)
              .feed(g.learningRate, lr)
              .feed(g.updateNumber, t)
              .addTarget(g.trainOp)
              .fetch(g.trainTotalLoss)
              .fetch(g.trainDataLoss);
      if (g.lossScaling != null) {
        runner.fetch(g.stepApplied).fetch(g.lossScale);
      }
      if (g.trainImages != null) {
        runner.fetch(g.trainImages); // the batch fed is the chief's share only
      }
      try (Result r = runner.run()) {
        float total = ((TFloat32) r.get(0)).getFloat();
        float data = ((TFloat32) r.get(1)).getFloat();
        int last = g.lossScaling == null ? 1 : 3;
        int n = g.trainImages != null ? Math.round(((TFloat32) r.get(last + 1)).getFloat()) : batch.count();
        return g.lossScaling == null
            ? new StepLoss(total, data, true, 1f, n)
            : new StepLoss(total, data, ((TBool) r.get(2)).getBoolean(), ((TFloat32) r.get(3)).getFloat(), n);
      }
    }
  }

  /**
   * Tells every worker where the run starts, before the first step, when workers read their own
   * shards (see {@link Shards}); nothing to do otherwise.
   */
  public void startWorkers(Shards.Start start) {
    if (g.startWorkers == null) {
      return;
    }
    long[] message = start.toArray();
    try (org.tensorflow.types.TInt64 m = org.tensorflow.types.TInt64.vectorOf(message)) {
      session.runner().feed(g.startMessage, m).addTarget(g.startWorkers).run();
    }
  }

  /** The current loss scale; empty without loss scaling. */
  public OptionalDouble lossScale() {
    if (g.lossScaling == null) {
      return OptionalDouble.empty();
    }
    try (Result r = session.runner().fetch(g.lossScale).run()) {
      return OptionalDouble.of(((TFloat32) r.get(0)).getFloat());
    }
  }

  /** An activation map fetched for inspection: NHWC values and their shape. */
  public record Activation(long[] shape, float[] values) {}

  /** The backbone endpoint {@code name} (or {@code logits}) for the batch's images. */
  public Activation activation(String name, Batch batch) {
    org.tensorflow.Operand<TFloat32> op = name.equals("logits") ? g.logits : g.features.endpoint(name).tensor();
    try (Result r = session.runner().feed(g.images, batch.imageTensor()).fetch(op).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] values = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(values);
      return new Activation(t.shape().asArray(), values);
    }
  }

  /** Names {@link #activation} accepts. */
  public String endpoints() {
    return g.features.describe() + ", logits";
  }

  /** Classes the model predicts. */
  public int classCount() {
    return g.classes().size();
  }

  /** Predicts a labelled batch into {@code predictions} and returns its data loss. */
  public float evaluate(Batch batch, byte[] predictions) {
    return evaluate(batch, predictions, null);
  }

  /** As above, also copying the class probabilities (NHWC) into {@code probabilities} if given. */
  public float evaluate(Batch batch, byte[] predictions, float[] probabilities) {
    {
      Session.Runner runner = session.runner()
          .feed(g.images, batch.imageTensor()).feed(g.labels, batch.labelTensor()).fetch(g.predictions).fetch(g.dataLoss);
      if (probabilities != null) {
        runner.fetch(g.probabilities);
      }
      try (Result r = runner.run()) {
        ((TUint8) r.get(0)).asRawTensor().data().read(predictions, 0, batch.pixels());
        if (probabilities != null) {
          ((TFloat32) r.get(2)).asRawTensor().data().asFloats().read(probabilities, 0, batch.pixels() * g.classes().size());
        }
        return ((TFloat32) r.get(1)).getFloat();
      }
    }
  }

  /** Predicts train ids for every pixel of the batch into {@code predictions}. */
  public void predict(Batch batch, byte[] predictions) {
    predict(batch, predictions, null);
  }

  /** As above, also copying the class probabilities (NHWC) into {@code probabilities} if given. */
  public void predict(Batch batch, byte[] predictions, float[] probabilities) {
    {
      Session.Runner runner = session.runner().feed(g.images, batch.imageTensor()).fetch(g.predictions);
      if (probabilities != null) {
        runner.fetch(g.probabilities);
      }
      try (Result r = runner.run()) {
        ((TUint8) r.get(0)).asRawTensor().data().read(predictions, 0, batch.pixels());
        if (probabilities != null) {
          ((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(probabilities, 0, batch.pixels() * g.classes().size());
        }
      }
    }
  }

  /** Writes every variable (model and optimizer slots) under the checkpoint prefix. */
  public void save(Path prefix) throws java.io.IOException {
    try (TString p = TString.scalarOf(prefix.toString())) {
      session.runner().feed(g.checkpointPrefix, p).addTarget(g.save).run();
    } catch (org.tensorflow.exceptions.TensorFlowException e) {
      // A full disk or a read-only folder: the caller keeps the previous checkpoint as the latest.
      throw new java.io.IOException("cannot write checkpoint " + prefix + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads every variable from the checkpoint prefix. The loss scale of a checkpoint made without
   * one (at another precision) starts at its initial value.
   */
  public void restore(Path prefix) {
    try (TString p = TString.scalarOf(prefix.toString())) {
      session.runner().feed(g.checkpointPrefix, p).addTarget(g.restore).run();
      if (g.restoreLossScale != null) {
        restoreLossScale(p, prefix);
      }
    } catch (org.tensorflow.exceptions.TensorFlowException | org.tensorflow.exceptions.TFInvalidArgumentException e) {
      throw restoreFailure(prefix, e);
    }
  }

  /**
   * A checkpoint that holds another model's variables is bad input (the config does not match it);
   * anything else that stops a restore (a truncated or overwritten file, one of another run, a
   * missing file) means the files are damaged: an I/O failure, naming both files and their sizes.
   */
  static RuntimeException restoreFailure(Path prefix, RuntimeException e) {
    // TensorFlow appends the failing node ("[[{{node checkpoint/Restore}}]]"): ours, not news.
    String message = String.valueOf(e.getMessage()).replaceAll("\\s*\\[\\[\\{\\{node [^}]*\\}\\}\\]\\]", "").strip();
    if (message.contains("not found in checkpoint") || message.contains("Trying to assign to variable with tensor with wrong shape")) {
      return new IllegalArgumentException(
          "cannot restore checkpoint " + prefix + " into this model (was it trained with another model, dataset or"
              + " input channels?): " + message, e);
    }
    Path index = Path.of(prefix + ".index");
    Path data = Path.of(prefix + ".data-00000-of-00001");
    String damaged = "checkpoint " + prefix + " is damaged (" + describe(index) + ", " + describe(data) + "): " + message
        + "; use another checkpoint of the run (checkpoints/), or train again";
    return new java.io.UncheckedIOException(damaged, new java.io.IOException(damaged, e));
  }

  private static String describe(Path file) {
    try {
      return file + " " + java.nio.file.Files.size(file) + " bytes";
    } catch (java.io.IOException e) {
      return file + " missing";
    }
  }

  private void restoreLossScale(TString p, Path prefix) {
    try {
      session.runner().feed(g.checkpointPrefix, p).addTarget(g.restoreLossScale).run();
    } catch (org.tensorflow.exceptions.TensorFlowException e) {
      if (e.getMessage() == null || !e.getMessage().contains("not found in checkpoint")) {
        throw e;
      }
      List<ModelVariable> vars = g.lossScaling.variables();
      assign(vars.get(0), new float[] {g.lossScaling.config().initial()});
      assign(vars.get(1), new float[] {0});
      LOG.info("checkpoint {} has no loss scale (saved at another runtime.precision): the scale starts at {}",
          prefix, g.lossScaling.config().initial());
    }
  }

  /**
   * Sets one variable (row-major values of its shape), e.g. to imported weights. The feed op is
   * added to the graph on first use; TensorFlow sessions pick up graph additions.
   */
  public void assign(ModelVariable v, float[] values) {
    if (values.length != v.size()) {
      throw new IllegalArgumentException(v.path() + " holds " + v.size() + " values, got " + values.length);
    }
    var op = assignOps.computeIfAbsent(v.path(), p -> {
      Ops tf = Ops.create(g.graph).withSubScope("assign");
      var value = tf.placeholder(TFloat32.class, Placeholder.shape(v.shape()));
      return new AssignOp(value, tf.assignVariableOp(v.handle(), value));
    });
    try (TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false))) {
      session.runner().feed(op.value(), t).addTarget(op.assign()).run();
    }
  }

  /** Current values of every variable, by path: for tests and inspection, not the hot path. */
  public Map<String, float[]> variableValues() {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (ModelVariable v : g.allVariables()) {
      try (Result r = session.runner().fetch(v.value()).run()) {
        float[] a = new float[(int) v.size()];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(a, false, false));
        values.put(v.path(), a);
      }
    }
    return values;
  }

  @Override
  public void close() {
    session.close();
  }
}

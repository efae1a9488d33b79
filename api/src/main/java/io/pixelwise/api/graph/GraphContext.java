package io.pixelwise.api.graph;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * What a component needs to add itself to the model graph: scoped ops, variable creation, the
 * training flag and the run's seed. A child context made with {@link #scope(String)} prefixes
 * both op names and variable paths, so components never clash.
 *
 * <p>Variables are TensorFlow resource variables. Each gets a unique {@code shared_name} (the
 * variable's path): without one, all handles of the same type and shape alias one variable.
 */
public final class GraphContext {
  private static final Pattern SCOPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

  private final Ops tf;
  private final String path;
  private final Shared shared;
  /** Non-null in a replica: variable() hands back a stand-in for the first copy's variable. */
  private final Replica replica;

  /** What a replica context substitutes for the first copy's variables and training flag. */
  private record Replica(Operand<TBool> training, UnaryOperator<ModelVariable> standIn, Map<String, ModelVariable> made) {}

  private static final class Shared {
    final Operand<TBool> training;
    final long seed;
    final Map<String, ModelVariable> variables = new LinkedHashMap<>();
    /** Assignments to STATE variables that every training step runs, by variable path. */
    final Map<String, Op> updates = new LinkedHashMap<>();
    /** Trained values by variable path: variables become constants (export); null when training. */
    final Map<String, float[]> frozen;

    Shared(Operand<TBool> training, long seed, Map<String, float[]> frozen) {
      this.training = training;
      this.seed = seed;
      this.frozen = frozen;
    }
  }

  private GraphContext(Ops tf, String path, Shared shared) {
    this(tf, path, shared, null);
  }

  private GraphContext(Ops tf, String path, Shared shared, Replica replica) {
    this.tf = tf;
    this.path = path;
    this.shared = shared;
    this.replica = replica;
  }

  /**
   * The root context of a model graph.
   *
   * @param training a boolean scalar that is true while training (dropout, batch statistics)
   * @param seed the run's seed; each variable's initialiser derives its own from it
   */
  public static GraphContext root(Ops tf, Operand<TBool> training, long seed) {
    return new GraphContext(tf, "", new Shared(training, seed, null));
  }

  /**
   * A root context for an inference-only graph in which every variable is a constant holding its
   * trained value (exported models: self-contained, nothing to restore). Training is false.
   *
   * @param values trained values by variable path, as saved in a checkpoint
   */
  public static GraphContext frozen(Ops tf, Map<String, float[]> values) {
    return new GraphContext(tf, "", new Shared(tf.constant(false), 0, Map.copyOf(values)));
  }

  /** Ops that create their nodes under this context's name scope. */
  public Ops tf() {
    return tf;
  }

  /** Slash-separated scope path, empty at the root. */
  public String path() {
    return path;
  }

  public Operand<TBool> training() {
    return replica != null ? replica.training() : shared.training;
  }

  public long seed() {
    return shared.seed;
  }

  /** A child context: ops and variables created through it live under {@code path/name}. */
  public GraphContext scope(String name) {
    checkName(name);
    return new GraphContext(tf.withSubScope(name), qualify(name), shared, replica);
  }

  /**
   * A root context for another copy (replica) of a model already built through this context's
   * relatives, e.g. on another device for data parallelism; the copy may live in another graph.
   * Ops are created by {@code tf}. {@link #variable} does not create a variable: it returns
   * {@code standIn} applied to the variable the first copy created under the same path (the same
   * variable, or a placeholder for its value in another graph), once per path. Asking for a
   * variable the first copy does not have, or with another shape or role, is an error.
   *
   * @param training the training flag as seen by the replica
   */
  public GraphContext replica(Ops tf, Operand<TBool> training, UnaryOperator<ModelVariable> standIn) {
    return new GraphContext(tf, "", shared, new Replica(training, standIn, new LinkedHashMap<>()));
  }

  /** The stand-ins a replica context has handed out, by path (empty for a first copy). */
  public Map<String, ModelVariable> replicaVariables() {
    return replica == null ? Map.of() : Collections.unmodifiableMap(replica.made());
  }

  /**
   * Creates a float32 resource variable initialised on the session's first initialisation.
   *
   * @throws IllegalArgumentException if a variable with the same path exists already
   */
  public ModelVariable variable(String name, Shape shape, Initializer initializer, VariableRole role) {
    checkName(name);
    String varPath = qualify(name);
    if (replica != null) {
      ModelVariable existing = shared.variables.get(varPath);
      if (existing == null || !existing.shape().equals(shape) || existing.role() != role) {
        throw new IllegalArgumentException(
            "replica asks for variable '" + varPath + "' (" + shape + ", " + role + ") but the first copy "
                + (existing == null ? "has no such variable" : "made it " + existing.shape() + ", " + existing.role())
                + ": a component must build the same variables every time it is built");
      }
      return replica.made().computeIfAbsent(varPath, p -> replica.standIn().apply(existing));
    }
    if (shared.variables.containsKey(varPath)) {
      throw new IllegalArgumentException(
          "variable '" + varPath + "' is created twice; give each layer its own scope name");
    }
    Ops scoped = tf.withSubScope(name);
    if (shared.frozen != null) {
      float[] trained = shared.frozen.get(varPath);
      if (trained == null || trained.length != shape.size()) {
        throw new IllegalArgumentException(
            "no trained value of shape " + shape + " for variable '" + varPath + "'"
                + (trained == null ? "" : " (found " + trained.length + " values)")
                + ": the checkpoint was made by another model configuration");
      }
      Operand<TFloat32> constant =
          scoped.withName("frozen").constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(trained, true, false));
      ModelVariable variable = new ModelVariable(varPath, shape, role, constant, constant);
      shared.variables.put(varPath, variable);
      return variable;
    }
    // The handle and its initial assignment live in the init scope, which the session runs once;
    // the read is an ordinary op so that every training step sees the current value.
    Ops init = scoped.withInitScope();
    VarHandleOp handle =
        init.varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(varPath));
    // The seed is a placeholder with a default, which Grappler does not fold. An initial value
    // computed from constants alone can be folded into a constant that the session's cached
    // initialization keeps for good, next to the variable (VGG16-FCN8: docs/performance.md;
    // the engine's TrainingMemoryTest checks it).
    Operand<TInt64> seed = init.placeholderWithDefault(init.constant(seedFor(varPath)), Shape.of(2));
    init.assignVariableOp(handle, initializer.create(init, shape, seed));
    Operand<TFloat32> value = scoped.readVariableOp(handle, TFloat32.class);
    ModelVariable variable = new ModelVariable(varPath, shape, role, handle, value);
    shared.variables.put(varPath, variable);
    return variable;
  }

  /**
   * Makes every training step assign {@code value} to the {@link VariableRole#STATE} variable
   * {@code state} (batch normalisation's moving statistics, counters). The runner runs these
   * assignments with the optimizer's update and never while evaluating or predicting; {@code
   * value} is computed from the step's forward pass and the variable's value before the step. In
   * a frozen graph (an exported model) there is nothing to update, and the call does nothing; in a
   * replica (data parallelism) neither: the first copy's update, on the whole batch, is the one run.
   *
   * @throws IllegalArgumentException if the variable is not a STATE variable of this graph, or
   *     already has an update
   */
  public void updateEachStep(ModelVariable state, Operand<TFloat32> value) {
    if (replica != null) {
      // A replica sees a share of the batch: the first copy's update, on the whole batch, is run.
      return;
    }
    if (shared.variables.get(state.path()) != state) {
      throw new IllegalArgumentException("variable '" + state.path() + "' was not created in this graph");
    }
    if (state.role() != VariableRole.STATE) {
      throw new IllegalArgumentException(
          "variable '" + state.path() + "' is " + state.role() + "; only STATE variables are updated"
              + " each step (the optimizer updates trained ones)");
    }
    if (shared.updates.containsKey(state.path())) {
      throw new IllegalArgumentException(
          "variable '" + state.path() + "' already has an update; two would race in one step");
    }
    if (shared.frozen != null) {
      return;
    }
    shared.updates.put(state.path(), tf.assignVariableOp(state.handle(), value));
  }

  /** The assignments registered with {@link #updateEachStep}, for the runner's training step. */
  public List<Op> stateUpdates() {
    return List.copyOf(shared.updates.values());
  }

  /** Whether variables are constants and training is false: an inference-only, exported graph. */
  boolean isFrozen() {
    return shared.frozen != null;
  }

  /** Every variable created so far through this context or any of its relatives, in creation order. */
  public List<ModelVariable> variables() {
    return Collections.unmodifiableList(new ArrayList<>(shared.variables.values()));
  }

  private long[] seedFor(String varPath) {
    // FNV-1a of the path: stable across runs and JVMs, unlike String.hashCode's spec-free intent.
    long h = 0xcbf29ce484222325L;
    for (byte b : varPath.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return new long[] {shared.seed, h};
  }

  private String qualify(String name) {
    return path.isEmpty() ? name : path + "/" + name;
  }

  private static void checkName(String name) {
    if (name == null || !SCOPE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid scope or variable name '" + name
              + "': use letters, digits, '_', '.', '-' and no '/' (nest with scope())");
    }
  }
}

package io.pixelwise.api.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.CustomGradient;
import org.tensorflow.op.RawOpInputs;

/**
 * The only way components should register a custom gradient. TensorFlow Java 1.1.0 holds at most
 * {@value #LIMIT} custom gradients per JVM: an eleventh registration reports success and then
 * crashes the JVM when the gradient is used. This keeps the count and refuses the eleventh with
 * the list of who took the ten. Prefer ops whose gradients the C API has (none of the built-in
 * components needs a custom one).
 */
public final class CustomGradients {
  public static final int LIMIT = 10;

  /** Registers with TensorFlow; returns false where the op has a custom gradient already. */
  interface Registrar {
    boolean register(Class<? extends RawOpInputs<?>> inputs, CustomGradient<?> gradient);
  }

  private static final CustomGradients JVM = new CustomGradients(LIMIT, CustomGradients::registerWithTensorFlow);

  private final int limit;
  private final Registrar registrar;
  private final Map<Class<?>, String> owners = new LinkedHashMap<>();

  CustomGradients(int limit, Registrar registrar) {
    this.limit = limit;
    this.registrar = registrar;
  }

  /**
   * Registers {@code gradient} for the op whose inputs class is {@code inputs}, once per JVM; a
   * second call for the same op is a no-op (the first gradient stays).
   *
   * @param owner who asks, for the message when the budget is spent (e.g. {@code "loss 'x'"})
   * @throws IllegalStateException if the JVM's {@value #LIMIT} custom gradients are taken
   */
  public static <T extends RawOpInputs<?>> void register(Class<T> inputs, CustomGradient<T> gradient, String owner) {
    JVM.add(inputs, gradient, owner);
  }

  /** Op inputs classes registered so far, with their owners. */
  public static Map<Class<?>, String> registered() {
    synchronized (JVM) {
      return Map.copyOf(JVM.owners);
    }
  }

  synchronized void add(Class<? extends RawOpInputs<?>> inputs, CustomGradient<?> gradient, String owner) {
    if (owners.containsKey(inputs)) {
      return;
    }
    if (owners.size() >= limit) {
      List<String> taken = new ArrayList<>();
      owners.forEach((op, who) -> taken.add(opName(op) + " (" + who + ")"));
      throw new IllegalStateException(
          owner + " needs a custom gradient for " + opName(inputs) + ", but TensorFlow Java 1.1.0 allows "
              + limit + " per JVM and all are taken: " + String.join(", ", taken)
              + ". Build it from ops whose gradients the C API has, or leave out a component that needs one.");
    }
    if (!registrar.register(inputs, gradient)) {
      throw new IllegalStateException(
          owner + ": TensorFlow refused the custom gradient for " + opName(inputs)
              + " (registered outside CustomGradients?)");
    }
    owners.put(inputs, owner);
  }

  /** The op's class name: generated inputs classes are nested in it ({@code Add.Inputs}). */
  private static String opName(Class<?> inputs) {
    Class<?> op = inputs.getEnclosingClass();
    return op != null ? op.getSimpleName() : inputs.getSimpleName();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean registerWithTensorFlow(Class<? extends RawOpInputs<?>> inputs, CustomGradient<?> gradient) {
    return TensorFlow.registerCustomGradient((Class) inputs, (CustomGradient) gradient);
  }
}

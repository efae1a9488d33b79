package io.pixelwise.engine;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_GraphImportGraphDef;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ImportGraphDefOptionsAddInputMapping;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ImportGraphDefOptionsSetDefaultDevice;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ImportGraphDefOptionsSetPrefix;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OperationInput;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OperationName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OperationNumInputs;

import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_Input;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.GraphDef;

/**
 * What TensorFlow Java 1.1.0 keeps package-private but the C API offers: importing a GraphDef with
 * a default device and input mappings ({@code TF_ImportGraphDefOptionsSetDefaultDevice},
 * {@code ...AddInputMapping}), on the graph's native handle (see {@link NativeSessions}), and the
 * producer of an op's input ({@code TF_OperationInput}).
 */
final class NativeGraphs {
  private NativeGraphs() {}

  /**
   * Imports {@code def} into {@code graph}: node names get {@code prefix/}, nodes without a device
   * get {@code device}, and each named input (an output 0 of {@code def}) is replaced by the given
   * output of {@code graph}.
   */
  static void importGraphDef(Graph graph, GraphDef def, String prefix, String device, Map<String, Output<?>> inputs) {
    Object ref = NativeSessions.reference(graph);
    try (PointerScope scope = new PointerScope()) {
      TF_Graph handle = NativeSessions.handle(ref);
      TF_ImportGraphDefOptions opts = TF_ImportGraphDefOptions.newImportGraphDefOptions();
      TF_ImportGraphDefOptionsSetPrefix(opts, prefix);
      TF_ImportGraphDefOptionsSetDefaultDevice(opts, device);
      for (Map.Entry<String, Output<?>> e : inputs.entrySet()) {
        Output<?> out = e.getValue();
        TF_Output target =
            new TF_Output().oper((TF_Operation) ((GraphOperation) out.op()).getUnsafeNativeHandle()).index(out.index());
        TF_ImportGraphDefOptionsAddInputMapping(opts, e.getKey(), 0, target);
      }
      TF_Buffer buffer = TF_Buffer.newBufferFromString(def);
      TF_Status status = TF_Status.newStatus();
      TF_GraphImportGraphDef(handle, buffer, opts, status);
      status.throwExceptionIfNotOK();
    } finally {
      NativeSessions.release(ref);
    }
  }

  /** The output that feeds input {@code index} of {@code op}, an op of {@code graph}. */
  static Output<?> input(Graph graph, GraphOperation op, int index) {
    Object ref = NativeSessions.reference(graph);
    try (PointerScope scope = new PointerScope()) {
      TF_Operation handle = (TF_Operation) op.getUnsafeNativeHandle();
      if (index < 0 || index >= TF_OperationNumInputs(handle)) {
        throw new IndexOutOfBoundsException(op.name() + " has no input " + index);
      }
      TF_Output source = TF_OperationInput(new TF_Input().oper(handle).index(index));
      return graph.operationOrThrow(TF_OperationName(source.oper()).getString()).output(source.index());
    } finally {
      NativeSessions.release(ref);
    }
  }
}

package io.pixelwise.engine;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TFloat32;

/** TensorFlow's own record of a run (kernels, allocations), for memory tests and benchmarks. */
final class StepTraces {
  private StepTraces() {}

  /** Runs with a full trace and returns its step stats. */
  static StepStats trace(Session.Runner runner) {
    var result = runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build())
        .runAndFetchMetadata();
    result.close();
    return result.getMetadata().orElseThrow().getStepStats();
  }

  /** The most any allocator reported holding during the run (oneDNN's allocator keeps this account). */
  static long mostHeld(StepStats stats) {
    return stats.getDevStatsList().stream().flatMap(d -> d.getNodeStatsList().stream())
        .flatMap(node -> node.getMemoryList().stream()).mapToLong(m -> m.getAllocatorBytesInUse()).max().orElse(0);
  }

  /**
   * An op that allocates 4 MiB when run, to be added before the session is made: the allocator
   * reports what it holds only when something is allocated.
   */
  static Operand<TFloat32> probe(Graph graph) {
    Ops probe = Ops.create(graph).withSubScope("probe");
    return probe.random.randomUniform(probe.constant(new int[] {1 << 20}), TFloat32.class);
  }
}

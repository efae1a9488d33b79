package io.pixelwise.engine;

import java.util.List;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Readies TensorFlow for a GPU: checks that this build carries TensorFlow's GPU natives, loads
 * CUDA and cuDNN from the JavaCPP CUDA presets (so no system CUDA is needed, only the NVIDIA
 * driver) and checks that TensorFlow then sees the GPU. TensorFlow's own preload list names older
 * CUDA versions than the ones it was built against (CUDA 12, cuDNN 9), so the libraries are loaded
 * here, before TensorFlow opens them by name when it first creates a GPU device: already loaded,
 * they are found by their sonames. The presets are reached by reflection, as the CPU build lacks them.
 */
public final class GpuSupport {
  /** The JavaCPP CUDA presets' global classes, loaded in dependency order. */
  static final List<String> CUDA_LIBRARIES =
      List.of("cudart", "cublas", "cufft", "curand", "cusparse", "cusolver", "cudnn", "nvrtc");

  static final String BUILD_HINT =
      "build the GPU runner with `mvn -B package -Pgpu -Dquick` (it downloads TensorFlow's GPU natives and"
          + " CUDA 12 / cuDNN 9 from Maven Central, ~2.5 GB) and run that runner/target/pixelwise.jar,"
          + " or set runtime.device = cpu";

  private GpuSupport() {}

  /**
   * Checks the build, loads CUDA and checks that TensorFlow sees the GPUs {@code options} place
   * the graph on; call before any other TensorFlow session is created.
   *
   * @throws IllegalStateException saying what is missing and what to do
   */
  public static void prepare(EngineOptions options) {
    String asked = asked(options);
    ClassLoader loader = GpuSupport.class.getClassLoader();
    missingGpuNatives(loader).ifPresent(why -> {
      throw new IllegalStateException(asked + ": " + why + "; " + BUILD_HINT);
    });
    loadCuda(loader, asked);
    probe(options);
  }

  /** The setting that asks for a GPU, for messages. */
  static String asked(EngineOptions options) {
    return options.replicas().isEmpty()
        ? "runtime.device = " + options.device()
        : "runtime.devices = " + options.replicas();
  }

  /** Why this class path cannot run TensorFlow on a GPU, or empty if it has the GPU natives. */
  static Optional<String> missingGpuNatives(ClassLoader loader) {
    String platform = Loader.getPlatform();
    if (!platform.equals("linux-x86_64")) {
      return Optional.of("TensorFlow Java publishes GPU natives for linux-x86_64 only, this is " + platform);
    }
    String natives = "org/tensorflow/internal/c_api/" + platform + "-gpu/" + System.mapLibraryName("jnitensorflow");
    if (loader.getResource(natives) == null) {
      return Optional.of("this build has TensorFlow's CPU natives only (tensorflow-core-native " + platform + ")");
    }
    if (!present(loader, "org.bytedeco.cuda.global.cudart")) {
      return Optional.of("the CUDA libraries (org.bytedeco:cuda 12.6-9.5-1.5.11, linux-x86_64-redist) are missing"
          + " from the class path");
    }
    return Optional.empty();
  }

  private static boolean present(ClassLoader loader, String className) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static void loadCuda(ClassLoader loader, String asked) {
    for (String lib : CUDA_LIBRARIES) {
      String name = "org.bytedeco.cuda.global." + lib;
      try {
        Loader.load(Class.forName(name, false, loader));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            asked + ": the CUDA presets lack " + name + "; " + BUILD_HINT, e);
      } catch (LinkageError | RuntimeException e) {
        throw new IllegalStateException(
            asked + ": could not load CUDA's " + lib + " (" + e.getMessage()
                + "); the GPU build brings CUDA and cuDNN, but the machine needs the NVIDIA driver"
                + " (libcuda.so.1, version 525 or later for CUDA 12)", e);
      }
    }
  }

  /**
   * Runs one op pinned to each GPU of {@code options}, without soft placement, in a session
   * configured as training will be (TensorFlow wants the same GPU options in every session).
   *
   * @throws IllegalStateException naming the first GPU TensorFlow does not have
   */
  static void probe(EngineOptions options) {
    probe(options.sessionConfig().toBuilder().setAllowSoftPlacement(false).build(), options.gpus(), asked(options));
  }

  static void probe(ConfigProto config, List<DeviceSpec> devices, String asked) {
    for (DeviceSpec gpu : devices) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g).withDevice(gpu);
        Operand<TFloat32> two = tf.math.add(tf.constant(1f), tf.constant(1f));
        try (Session s = new Session(g, false, config);
            Result r = s.runner().fetch(two).run()) {
          r.get(0);
        }
      } catch (RuntimeException e) {
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        throw new IllegalStateException(
            asked + ": TensorFlow sees no GPU " + gpu + " (" + first + "). Check that nvidia-smi lists"
                + " it, that the NVIDIA driver supports CUDA 12 (525 or later) and CUDA_VISIBLE_DEVICES;"
                + " or set runtime.device = cpu", e);
      }
    }
  }
}

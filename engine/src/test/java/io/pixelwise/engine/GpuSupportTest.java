package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What can be checked of the GPU path on a machine with the CPU build and no GPU. */
class GpuSupportTest {

  @Test
  void theCpuBuildRefusesAGpuSayingHowToBuildOne() {
    assertEquals(Optional.of("this build has TensorFlow's CPU natives only (tensorflow-core-native linux-x86_64)"),
        GpuSupport.missingGpuNatives(getClass().getClassLoader()));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuSupport.prepare(options("gpu:1")));
    assertEquals("runtime.device = gpu:1: this build has TensorFlow's CPU natives only (tensorflow-core-native linux-x86_64); "
        + GpuSupport.BUILD_HINT, e.getMessage());
    assertTrue(e.getMessage().contains("mvn -B package -Pgpu"), e.getMessage());
  }

  @Test
  void gpuNativesWithoutTheCudaPresetsAreNamed() {
    // A class path with TensorFlow's GPU natives (faked) but not org.bytedeco:cuda.
    ClassLoader gpuNativesOnly = new ClassLoader(getClass().getClassLoader()) {
      @Override
      public URL getResource(String name) {
        return name.contains("/linux-x86_64-gpu/") ? getParent().getResource("io/pixelwise/engine/GpuSupport.class") : super.getResource(name);
      }
    };
    assertEquals(
        Optional.of("the CUDA libraries (org.bytedeco:cuda 12.6-9.5-1.5.11, linux-x86_64-redist) are missing from the class path"),
        GpuSupport.missingGpuNatives(gpuNativesOnly));
  }

  @Test
  void tensorFlowWithoutAGpuIsReportedAsSuch() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuSupport.probe(options("gpu")));
    assertTrue(e.getMessage().startsWith("runtime.device = gpu:0: TensorFlow sees no GPU /device:GPU:0 ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("or set runtime.device = cpu"), e.getMessage());
    EngineOptions replicas = new EngineOptions(Device.CPU, Devices.parse("runtime.devices", List.of("cpu:0", "gpu:1")), 1, 1, false, Map.of());
    e = assertThrows(IllegalStateException.class, () -> GpuSupport.probe(replicas));
    assertTrue(e.getMessage().startsWith("runtime.devices = [/device:CPU:0, /device:GPU:1]: TensorFlow sees no GPU /device:GPU:1 ("),
        e.getMessage());
  }

  @Test
  void theProbePassesADeviceTensorFlowHas() {
    // Else every failure above could be the probe's own.
    GpuSupport.probe(EngineOptions.DEFAULT.sessionConfig(), List.of(Device.CPU.placement()), "runtime.device = cpu");
    assertEquals(List.of(), EngineOptions.DEFAULT.gpus());
  }

  private static EngineOptions options(String device) {
    return new EngineOptions(Device.parse(device), List.of(), 1, 1, false, Map.of());
  }
}

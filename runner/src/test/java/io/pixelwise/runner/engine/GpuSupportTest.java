package io.pixelwise.runner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What can be checked of the GPU path on a machine with the CPU build and no GPU. */
class GpuSupportTest {

  @Test
  void theCpuBuildRefusesAGpuSayingHowToBuildOne() {
    assertEquals(Optional.of("this build has TensorFlow's CPU natives only (tensorflow-core-native linux-x86_64)"),
        GpuSupport.missingGpuNatives(getClass().getClassLoader()));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuSupport.prepare(Device.parse("gpu:1")));
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
        return name.contains("/linux-x86_64-gpu/") ? getParent().getResource("logback.xml") : super.getResource(name);
      }
    };
    assertEquals(
        Optional.of("the CUDA libraries (org.bytedeco:cuda 12.6-9.5-1.5.11, linux-x86_64-redist) are missing from the class path"),
        GpuSupport.missingGpuNatives(gpuNativesOnly));
  }

  @Test
  void tensorFlowWithoutAGpuIsReportedAsSuch() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuSupport.probe(Device.parse("gpu")));
    assertTrue(e.getMessage().startsWith("runtime.device = gpu:0: TensorFlow sees no such GPU ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("or set runtime.device = cpu"), e.getMessage());
    // The probe itself works: the CPU passes it.
    GpuSupport.probe(Device.CPU);
  }
}

package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.model.OneDnnPreference;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OneDnnChoiceTest {
  private static final Optional<OneDnnPreference> OFF = Optional.of(new OneDnnPreference(false, "slow fc6 gradient"));
  private static final Optional<OneDnnPreference> ON = Optional.of(new OneDnnPreference(true, "fused convs"));

  @Test
  void explicitSettingsWinOverTheBackbonesPreference() {
    assertEquals(new OneDnnChoice(true, "runtime.onednn = on"), OneDnnChoice.resolve("on", "vgg16", OFF));
    assertEquals(new OneDnnChoice(false, "runtime.onednn = off"), OneDnnChoice.resolve("off", "my-net", ON));
    assertEquals(new OneDnnChoice(false, "runtime.onednn = off"), OneDnnChoice.resolve("OFF", "my-net", Optional.empty()));
  }

  @Test
  void autoFollowsThePreferenceAndSaysWhy() {
    OneDnnChoice off = OneDnnChoice.resolve("auto", "vgg16", OFF);
    assertFalse(off.on());
    assertEquals("oneDNN CPU kernels off (runtime.onednn = auto and backbone vgg16 asks for it off: slow fc6 gradient)",
        off.describe());
    OneDnnChoice on = OneDnnChoice.resolve("auto", "my-net", ON);
    assertTrue(on.on());
    assertTrue(on.reason().contains("backbone my-net asks for it on: fused convs"), on.reason());
  }

  @Test
  void autoWithoutAPreferenceIsOn() {
    OneDnnChoice c = OneDnnChoice.resolve("auto", "simple-conv", Optional.empty());
    assertTrue(c.on());
    assertTrue(c.reason().startsWith("runtime.onednn = auto; backbone simple-conv states no preference"), c.reason());
  }

  @Test
  void anythingElseIsRefusedNamingTheKey() {
    assertEquals("runtime.onednn: expected auto, on or off, got 'yes'",
        assertThrows(IllegalArgumentException.class, () -> OneDnnChoice.resolve("yes", "vgg16", OFF)).getMessage());
  }

  @Test
  void whetherOneDnnRunsFollowsTheEnvironmentAsTensorFlowReadsIt() {
    assertTrue(OneDnnChoice.activeFor("1", "Linux", "amd64"));
    assertTrue(OneDnnChoice.activeFor("true", "Mac OS X", "aarch64"));
    assertFalse(OneDnnChoice.activeFor("0", "Linux", "amd64"));
    assertFalse(OneDnnChoice.activeFor("False", "Linux", "amd64"));
    // Unset: TensorFlow's default, on for its Linux x86-64 builds only.
    assertTrue(OneDnnChoice.activeFor(null, "Linux", "amd64"));
    assertFalse(OneDnnChoice.activeFor(null, "Linux", "aarch64"));
    assertFalse(OneDnnChoice.activeFor("", "Mac OS X", "x86_64"));
  }
}

package io.pixelwise.api.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiVersionTest {
  private static final ApiVersion V1_2 = new ApiVersion(1, 2);

  @Test
  void aPluginRunsOnTheSameMajorWithAtLeastItsMinor() {
    assertTrue(V1_2.runs(new ApiVersion(1, 0)));
    assertTrue(V1_2.runs(new ApiVersion(1, 2)));
    assertFalse(V1_2.runs(new ApiVersion(1, 3)), "a newer minor may use what 1.2 lacks");
    assertFalse(V1_2.runs(new ApiVersion(2, 0)));
    assertFalse(V1_2.runs(new ApiVersion(0, 9)));
  }

  @Test
  void theReasonNamesTheNeededAndTheProvidedVersion() {
    assertEquals(
        "it needs api 2.0 or a later 2.x, and this Pixelwise provides api 1.2; upgrade Pixelwise",
        V1_2.incompatibility(new ApiVersion(2, 0)).orElseThrow());
    assertEquals(
        "it needs api 1.3 or a later 1.x, and this Pixelwise provides api 1.2; upgrade Pixelwise",
        V1_2.incompatibility(new ApiVersion(1, 3)).orElseThrow());
    assertEquals(
        "it needs api 0.4 or a later 0.x, and this Pixelwise provides api 1.2; rebuild the plugin against pixelwise-api 1.2",
        V1_2.incompatibility(new ApiVersion(0, 4)).orElseThrow());
    assertTrue(V1_2.incompatibility(new ApiVersion(1, 1)).isEmpty());
  }

  @Test
  void parsesMajorMinorAndIgnoresAPatch() {
    assertEquals(new ApiVersion(1, 0), ApiVersion.parse(" 1.0 "));
    assertEquals(new ApiVersion(3, 12), ApiVersion.parse("3.12.7"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("one"));
    assertTrue(e.getMessage().contains("expected <major>.<minor>"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("1"));
    assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse(null));
  }

  @Test
  void theConstantsAgreeWithTheBuild() {
    assertEquals(ApiVersion.CURRENT.toString(), ApiVersion.CURRENT_TEXT);
    // The api jar's manifest carries the version from the pom; the two must not drift apart.
    assertEquals(System.getProperty("pixelwise.api.version"), ApiVersion.CURRENT_TEXT,
        "pixelwise.api.version in the root pom differs from ApiVersion.MAJOR.MINOR");
  }
}

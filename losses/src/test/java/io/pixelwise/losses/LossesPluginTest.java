package io.pixelwise.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pixelwise.api.loss.LossContext;
import io.pixelwise.api.loss.LossFactory;
import io.pixelwise.api.plugin.PixelwisePlugin;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LossesPluginTest {
  private static final Set<String> NAMES = Set.of("cross-entropy", "focal", "dice", "lovasz-softmax", "ohem");

  @Test
  void foundByServiceLoader() {
    assertTrue(ServiceLoader.load(PixelwisePlugin.class).stream().anyMatch(p -> p.type() == LossesPlugin.class));
  }

  @Test
  void everyLossIsRegisteredAndBuildsFromItsShippedDefaultsInBothModes() {
    Map<String, LossFactory> losses =
        Guice.createInjector(new LossesPlugin()).getInstance(Key.get(new TypeLiteral<Map<String, LossFactory>>() {}));
    assertEquals(NAMES, losses.keySet());
    for (String name : NAMES) {
      for (LossContext context : new LossContext[] {LossFixtures.softmax(), LossFixtures.binary()}) {
        var loss = losses.get(name).create(LossFixtures.options(name, ""), context);
        double v =
            context.binary()
                ? LossFixtures.binaryValue(loss, LossFixtures.binaryLogits())
                : LossFixtures.value(loss, LossFixtures.logits());
        assertTrue(Double.isFinite(v) && v > 0, name + (context.binary() ? " (binary)" : "") + ": " + v);
      }
    }
  }
}

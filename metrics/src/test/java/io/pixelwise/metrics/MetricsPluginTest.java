package io.pixelwise.metrics;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.metric.MetricFactory;
import io.pixelwise.api.plugin.ComponentKind;
import io.pixelwise.api.plugin.PixelwisePlugin;
import io.pixelwise.api.plugin.Registration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricsPluginTest {

  @Test
  void foundByServiceLoader() {
    assertTrue(
        ServiceLoader.load(PixelwisePlugin.class).stream().anyMatch(p -> p.type() == MetricsPlugin.class));
  }

  @Test
  void registersConfusionWithItsDefaults() {
    var injector = Guice.createInjector(new MetricsPlugin());
    Map<String, MetricFactory> metrics = injector.getInstance(Key.get(new TypeLiteral<Map<String, MetricFactory>>() {}));
    Set<Registration> registrations = injector.getInstance(Key.get(new TypeLiteral<Set<Registration>>() {}));
    assertTrue(registrations.contains(new Registration(ComponentKind.METRIC, "confusion", MetricsPlugin.class.getName())));

    var reference = ConfigFactory.defaultReference();
    assertTrue(reference.hasPath("metrics.confusion"), "reference.conf declares metrics.confusion");
    var options = reference.getConfig("metrics.confusion");
    assertInstanceOf(ConfusionMetric.class, metrics.get("confusion").create(options, ConfusionMetricTest.STREET));
  }
}

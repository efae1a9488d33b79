package io.pixelwise.engine;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pixelwise.api.loss.LossFactory;
import io.pixelwise.api.model.BackboneFactory;
import io.pixelwise.api.model.HeadFactory;
import io.pixelwise.api.plugin.PixelwisePlugin;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The built-in plugins on the test class path, by name: the engine's tests build real models
 * without the runner's plugin registry (which the engine may not depend on).
 */
public final class TestPlugins {
  private static final Injector INJECTOR = Guice.createInjector(ServiceLoader.load(PixelwisePlugin.class));

  private TestPlugins() {}

  public static BackboneFactory backbone(String name) {
    return find(new TypeLiteral<Map<String, BackboneFactory>>() {}, name);
  }

  public static HeadFactory head(String name) {
    return find(new TypeLiteral<Map<String, HeadFactory>>() {}, name);
  }

  public static LossFactory loss(String name) {
    return find(new TypeLiteral<Map<String, LossFactory>>() {}, name);
  }

  private static <F> F find(TypeLiteral<Map<String, F>> type, String name) {
    Map<String, F> factories = INJECTOR.getInstance(Key.get(type));
    F f = factories.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no built-in '" + name + "' on the test class path; known: " + factories.keySet());
    }
    return f;
  }
}

package io.pixelwise.api.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import io.pixelwise.api.data.DatasetFactory;
import io.pixelwise.api.loss.ContextualLossFactory;
import io.pixelwise.api.loss.LossFactory;
import io.pixelwise.api.metric.MetricFactory;
import io.pixelwise.api.model.BackboneFactory;
import io.pixelwise.api.model.HeadFactory;
import java.util.regex.Pattern;

/**
 * Base class of every plugin: a Guice module, found through {@link java.util.ServiceLoader}
 * (list the subclass in {@code META-INF/services/io.pixelwise.api.plugin.PixelwisePlugin}),
 * that registers factories under names in {@link #register()}.
 *
 * <p>Each registration binds the factory into the kind's {@code MapBinder<String, XFactory>} and
 * records a {@link Registration} so that the runner can list who provides what. The plugin's
 * defaults belong in a {@code reference.conf} at the root of its jar, under
 * {@code <kind section>.<name>} (for example {@code backbones.simple-conv { ... }}).
 */
public abstract class PixelwisePlugin extends AbstractModule {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  /** Register this plugin's components with the {@code backbone(...)}, {@code head(...)}, ... calls. */
  protected abstract void register();

  @Override
  protected final void configure() {
    // Declare every registry, so that an injector without any provider of a kind still works.
    MapBinder.newMapBinder(binder(), String.class, BackboneFactory.class);
    MapBinder.newMapBinder(binder(), String.class, HeadFactory.class);
    MapBinder.newMapBinder(binder(), String.class, LossFactory.class);
    MapBinder.newMapBinder(binder(), String.class, MetricFactory.class);
    MapBinder.newMapBinder(binder(), String.class, DatasetFactory.class);
    Multibinder.newSetBinder(binder(), Registration.class);
    register();
  }

  protected final void backbone(String name, BackboneFactory factory) {
    add(ComponentKind.BACKBONE, name, BackboneFactory.class, factory);
  }

  protected final void head(String name, HeadFactory factory) {
    add(ComponentKind.HEAD, name, HeadFactory.class, factory);
  }

  protected final void loss(String name, LossFactory factory) {
    add(ComponentKind.LOSS, name, LossFactory.class, factory);
  }

  /** A loss whose factory gets the run's {@link io.pixelwise.api.loss.LossContext} (api 1.1). */
  protected final void loss(String name, ContextualLossFactory factory) {
    add(ComponentKind.LOSS, name, LossFactory.class, factory);
  }

  protected final void metric(String name, MetricFactory factory) {
    add(ComponentKind.METRIC, name, MetricFactory.class, factory);
  }

  /** A dataset whose factory gets its options, the input size and an image reader (api 2.0). */
  protected final void dataset(String name, DatasetFactory factory) {
    add(ComponentKind.DATASET, name, DatasetFactory.class, factory);
  }

  private <F> void add(ComponentKind kind, String name, Class<F> type, F factory) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          getClass().getName() + " registers " + kind.label() + " name '" + name
              + "': names are lower-case words joined by '-', e.g. 'simple-conv'");
    }
    MapBinder.newMapBinder(binder(), String.class, type).addBinding(name).toInstance(factory);
    Multibinder.newSetBinder(binder(), Registration.class)
        .addBinding()
        .toInstance(new Registration(kind, name, getClass().getName()));
  }
}

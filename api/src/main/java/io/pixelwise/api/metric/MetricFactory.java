package io.pixelwise.api.metric;

import com.typesafe.config.Config;
import io.pixelwise.api.data.ClassInfo;

/** Creates a metric from its options: the {@code metrics.<name>} defaults merged with the experiment's. */
@FunctionalInterface
public interface MetricFactory {
  Metric create(Config options, ClassInfo classes);
}

package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import io.pixelwise.api.plugin.ComponentKind;
import java.util.Set;

/**
 * A place in the config where a component is chosen by name: {@code model.backbone = simple-conv}
 * or {@code model.backbone { name = simple-conv, widths = [32, 64] }}.
 *
 * @param path config path of the choice
 * @param kind what is chosen; its options default to {@code <kind.section()>.<name>}
 * @param multiple whether a list of choices is allowed here (e.g. {@code eval.metrics})
 * @param extraDefaults keys besides {@code name} that a choice object may carry for the runner
 *     rather than for the component (e.g. the {@code weight} of each loss), with their defaults;
 *     they are not passed as options
 */
public record SpecSlot(String path, ComponentKind kind, boolean multiple, Config extraDefaults) {
  /** Key of the component name in an object choice. */
  public static final String NAME = "name";

  public Set<String> extraKeys() {
    return extraDefaults.root().keySet();
  }
}

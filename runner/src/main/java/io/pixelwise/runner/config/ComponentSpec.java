package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import io.pixelwise.api.plugin.ComponentKind;

/**
 * One component chosen in the config, ready to hand to its factory.
 *
 * @param kind what kind of component
 * @param path where it was chosen, for messages: {@code model.backbone}, or {@code eval.metrics[1]}
 *     for an entry of a list
 * @param name the registered name
 * @param options the choice's overrides with fallback to {@code <kind.section()>.<name>}; resolved
 * @param extra the slot's extra keys (see {@link SpecSlot#extraDefaults()}), with their defaults;
 *     empty where the slot has none
 */
public record ComponentSpec(ComponentKind kind, String path, String name, Config options, Config extra) {}

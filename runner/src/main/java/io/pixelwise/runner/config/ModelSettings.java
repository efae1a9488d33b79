package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import io.pixelwise.api.plugin.ComponentKind;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code model}: the chosen backbone and head, the output activation and the pretrained weights.
 *
 * @param sigmoid {@code model.output = sigmoid}: one foreground logit instead of one per class
 * @param initFrom {@code model.init-from}; whether the file exists is checked when training starts
 *     (evaluating a run elsewhere does not need it)
 * @param initFromBgr {@code model.init-from-channels = bgr}: the file's first layer reads BGR
 */
public record ModelSettings(
    ComponentSpec backbone, ComponentSpec head, boolean sigmoid, Optional<Path> initFrom, boolean initFromBgr) {

  public static ModelSettings from(Config c) {
    String output = Read.oneOf("model.output", c.getString("model.output"), "softmax", "sigmoid");
    String file = c.getString("model.init-from");
    String channels = Read.oneOf("model.init-from-channels", c.getString("model.init-from-channels"), "bgr", "rgb");
    return new ModelSettings(
        ComponentSpecs.single(c, ComponentKind.BACKBONE, "model.backbone"),
        ComponentSpecs.single(c, ComponentKind.HEAD, "model.head"),
        output.equals("sigmoid"),
        file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
        channels.equals("bgr"));
  }
}

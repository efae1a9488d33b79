package io.pixelwise.api.data;

import com.typesafe.config.Config;
import java.util.Objects;

/**
 * What a {@link DatasetFactory} gets from the runner.
 *
 * @param options the {@code datasets.<name>} defaults merged with the experiment's
 * @param size the size the input pipeline feeds the model (the runner always gives it); datasets
 *     that synthesise images generate at this size, datasets read from disk may decode straight to
 *     it or ignore it, and take null as their files' own size
 * @param images how to read image files (the runner's, configured by {@code data.*})
 * @since api 2.0
 */
public record DatasetContext(Config options, InputSize size, ImageReader images) {
  public DatasetContext {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(images, "images");
  }
}

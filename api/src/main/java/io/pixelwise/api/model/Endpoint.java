package io.pixelwise.api.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A named feature map of a backbone.
 *
 * @param name e.g. {@code block2} or {@code pool4}
 * @param tensor NHWC float32 features
 * @param stride input pixels per feature pixel (1, 2, 4, ...)
 * @param channels the feature depth
 */
public record Endpoint(String name, Operand<TFloat32> tensor, int stride, long channels) {}

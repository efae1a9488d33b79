package io.pixelwise.api.model;

import java.util.List;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What a backbone hands to a head: the normalised input and the feature endpoints, ordered from
 * the finest (smallest stride) to the coarsest. The last endpoint is the backbone's output.
 */
public record Features(Operand<TFloat32> input, List<Endpoint> endpoints) {

  public Features {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("a backbone must expose at least one endpoint");
    }
    endpoints = List.copyOf(endpoints);
  }

  /** The deepest endpoint: the backbone's output. */
  public Endpoint last() {
    return endpoints.get(endpoints.size() - 1);
  }

  /** The endpoint with this name, or an error that lists the available ones. */
  public Endpoint endpoint(String name) {
    return endpoints.stream()
        .filter(e -> e.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no endpoint '" + name + "'; this backbone has: " + describe()));
  }

  /** e.g. {@code conv1 (stride 1, 32 ch), block1 (stride 2, 64 ch)} */
  public String describe() {
    return endpoints.stream()
        .map(e -> e.name() + " (stride " + e.stride() + ", " + e.channels() + " ch)")
        .collect(Collectors.joining(", "));
  }
}

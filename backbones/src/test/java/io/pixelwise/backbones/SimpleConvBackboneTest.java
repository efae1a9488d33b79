package io.pixelwise.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.VariableRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class SimpleConvBackboneTest {
  private static final Config DEFAULTS =
      ConfigFactory.parseResources("reference.conf").resolve().getConfig("backbones.simple-conv");

  static SimpleConvBackbone backbone(String overrides) {
    return SimpleConvBackbone.fromConfig(ConfigFactory.parseString(overrides).withFallback(DEFAULTS));
  }

  /** Builds the backbone; returns its variables' roles by path, in creation order, and the count of state updates. */
  private static Map<String, VariableRole> build(String overrides, int[] updates) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      backbone(overrides).build(root.scope("backbone"), x);
      Map<String, VariableRole> roles = new LinkedHashMap<>();
      root.variables().forEach(v -> roles.put(v.path(), v.role()));
      updates[0] = root.stateUpdates().size();
      return roles;
    }
  }

  @Test
  void withoutBatchNormTheVariablesAreThoseOfEarlierCheckpoints() {
    assertFalse(DEFAULTS.getBoolean("batch-norm"));
    int[] updates = new int[1];
    Map<String, VariableRole> roles = build("stem-width = 4, widths = [4, 4]", updates);
    assertEquals(
        List.of(
            "backbone/stem/kernel", "backbone/stem/bias",
            "backbone/block1/conv1/kernel", "backbone/block1/conv1/bias",
            "backbone/block1/conv2/kernel", "backbone/block1/conv2/bias",
            "backbone/block2/conv1/kernel", "backbone/block2/conv1/bias",
            "backbone/block2/conv2/kernel", "backbone/block2/conv2/bias"),
        List.copyOf(roles.keySet()));
    assertEquals(0, updates[0]);
  }

  @Test
  void withBatchNormEveryConvIsNormalisedWithoutABias() {
    int[] updates = new int[1];
    Map<String, VariableRole> roles = build("stem-width = 4, widths = [4, 4], convs-per-block = 1, batch-norm = true", updates);
    for (String conv : List.of("backbone/stem", "backbone/block1/conv1", "backbone/block2/conv1")) {
      assertEquals(VariableRole.WEIGHT, roles.get(conv + "/kernel"), conv);
      assertFalse(roles.containsKey(conv + "/bias"), conv + " keeps a bias next to batch norm");
      assertEquals(VariableRole.BIAS, roles.get(conv + "/bn/gamma"), conv);
      assertEquals(VariableRole.BIAS, roles.get(conv + "/bn/beta"), conv);
      assertEquals(VariableRole.STATE, roles.get(conv + "/bn/moving_mean"), conv);
      assertEquals(VariableRole.STATE, roles.get(conv + "/bn/moving_variance"), conv);
    }
    assertEquals(3 * 5, roles.size(), roles.keySet().toString());
    assertEquals(3 * 2, updates[0], "a moving mean and variance per conv");
  }

  @Test
  void badBatchNormSettingsNameTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> backbone("batch-norm-epsilon = 1e-9"));
    assertTrue(e.getMessage().startsWith("backbones.simple-conv.batch-norm-epsilon: expected a finite value of at least"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> backbone("batch-norm = true, batch-norm-momentum = -0.5"));
    assertTrue(e.getMessage().startsWith("backbones.simple-conv.batch-norm-momentum:"), e.getMessage());
  }
}

package io.pixelwise.api.loss;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How api 1.0 loss factories and 1.1 contextual ones meet the runner's call. */
class LossFactoryTest {
  private static final ClassInfo TWO =
      new ClassInfo(List.of(SegmentationClass.of("background", 0, 0, 0), SegmentationClass.of("foreground", 9, 9, 9)), 255, 0);
  private static final Loss LOSS = (ctx, logits, labels, classes) -> logits;

  @Test
  void aPlainFactoryIgnoresTheContextButRefusesABinaryModel() {
    LossFactory plain = options -> LOSS;
    assertSame(LOSS, plain.create(ConfigFactory.empty(), LossContext.of(TWO)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> plain.create(ConfigFactory.empty(), new LossContext(TWO, true, () -> null)));
    assertTrue(e.getMessage().contains("takes one logit per class"), e.getMessage());
  }

  @Test
  void aContextualFactoryGetsTheContextAndNeedsIt() {
    ContextualLossFactory contextual = (options, context) -> context.binary() ? LOSS : null;
    assertSame(LOSS, contextual.create(ConfigFactory.empty(), new LossContext(TWO, true, () -> null)));
    assertThrows(UnsupportedOperationException.class, () -> contextual.create(ConfigFactory.empty()));
  }

  @Test
  void aBinaryContextNeedsTwoClasses() {
    ClassInfo three =
        new ClassInfo(
            List.of(SegmentationClass.of("a", 0, 0, 0), SegmentationClass.of("b", 1, 1, 1), SegmentationClass.of("c", 2, 2, 2)),
            255, 0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LossContext(three, true, () -> null));
    assertTrue(e.getMessage().contains("exactly 2 classes"), e.getMessage());
  }
}

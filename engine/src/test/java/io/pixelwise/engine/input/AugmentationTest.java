package io.pixelwise.engine.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private static final int W = 64;
  private static final int H = 32;

  /** Vertical stripes 8 px wide: label k, grey level 40 * k. */
  private static RasterImage image() {
    byte[] p = new byte[W * H];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) (40 * ((i % W) / 8 % 5));
    }
    return new RasterImage(W, H, 1, p);
  }

  private static LabelMap labels() {
    byte[] ids = new byte[W * H];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (byte) ((i % W) / 8 % 5);
    }
    return new LabelMap(W, H, ids);
  }

  @Test
  void zoomedCropsKeepImageAndLabelsAligned() {
    Augmentation zoom = new Augmentation(1.5, 2.0, 0, 0, 0, 255);
    for (long seed = 0; seed < 5; seed++) {
      Augmentation.Result r = zoom.apply(image(), labels(), seed);
      assertEquals(W, r.image().width());
      assertEquals(H, r.labels().height());
      int checked = 0;
      for (int y = 0; y < H; y++) {
        for (int x = 2; x < W - 2; x++) {
          int id = r.labels().get(x, y);
          boolean interior = r.labels().get(x - 2, y) == id && r.labels().get(x + 2, y) == id;
          if (interior) {
            assertEquals(40 * id, r.image().pixels()[y * W + x] & 0xff, "pixel (" + x + ", " + y + ")");
            checked++;
          }
        }
      }
      assertTrue(checked > W * H / 3, "too few interior pixels checked: " + checked);
    }
  }

  @Test
  void shrinkingPadsTheBorderWithIgnore() {
    Augmentation shrink = new Augmentation(0.5, 0.5, 0, 0, 0, 255);
    Augmentation.Result r = shrink.apply(image(), labels(), 3);
    long ignored = 0;
    for (byte id : r.labels().ids()) {
      ignored += (id & 0xff) == 255 ? 1 : 0;
    }
    assertEquals(W * H - (W / 2) * (H / 2), ignored);
  }

  @Test
  void drawsAreReproducibleBySeed() {
    Augmentation all = new Augmentation(0.8, 1.5, 0.3, 0.3, 0.3, 255);
    Augmentation.Result a = all.apply(image(), labels(), 42);
    Augmentation.Result b = all.apply(image(), labels(), 42);
    Augmentation.Result c = all.apply(image(), labels(), 43);
    assertArrayEquals(a.image().pixels(), b.image().pixels());
    assertArrayEquals(a.labels().ids(), b.labels().ids());
    assertFalse(Arrays.equals(a.image().pixels(), c.image().pixels()));
  }

  @Test
  void photometricJitterLeavesLabelsAlone() {
    Augmentation jitter = new Augmentation(1, 1, 0.4, 0.4, 0.4, 255);
    Augmentation.Result r = jitter.apply(image(), labels(), 9);
    assertArrayEquals(labels().ids(), r.labels().ids());
    assertFalse(Arrays.equals(image().pixels(), r.image().pixels()), "no jitter applied");
  }

  @Test
  void badOptionsNameTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Augmentation(2, 1, 0, 0, 0, 255));
    assertTrue(e.getMessage().contains("data.augment.scale"), e.getMessage());
    assertTrue(new Augmentation(1, 1, 0, 0, 0, 255).isNone());
    assertEquals(7, new Augmentation(1, 1.5, 0, 0, 0, 255).withIgnoreId(7).ignoreId());
  }
}

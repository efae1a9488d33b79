package io.pixelwise.api.data;

/**
 * One class of a label set.
 *
 * @param name e.g. {@code road}
 * @param rgb display colour as 0xRRGGBB, used for colour label maps and overlays
 */
public record SegmentationClass(String name, int rgb) {

  public static SegmentationClass of(String name, int r, int g, int b) {
    return new SegmentationClass(name, (r & 0xff) << 16 | (g & 0xff) << 8 | (b & 0xff));
  }
}

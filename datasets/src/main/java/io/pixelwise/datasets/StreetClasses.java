package io.pixelwise.datasets;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import java.util.List;

/** Label sets of street scenes shared by several datasets. */
public final class StreetClasses {

  /** Train id of pixels that belong to no class (ego vehicle, out of ROI, unlabelled). */
  public static final int IGNORE = 255;

  /**
   * The seven Cityscapes categories of the course notebooks, with their colours: flat surfaces,
   * construction, objects, nature, sky, humans and vehicles.
   */
  public static final ClassInfo SEVEN =
      new ClassInfo(
          List.of(
              SegmentationClass.of("road", 128, 64, 128),
              SegmentationClass.of("building", 70, 70, 70),
              SegmentationClass.of("infrastructure", 220, 220, 0),
              SegmentationClass.of("nature", 107, 142, 35),
              SegmentationClass.of("sky", 70, 130, 180),
              SegmentationClass.of("person", 220, 20, 60),
              SegmentationClass.of("vehicle", 0, 0, 142)),
          IGNORE,
          0x000000);

  public static final int ROAD = 0;
  public static final int BUILDING = 1;
  public static final int INFRASTRUCTURE = 2;
  public static final int NATURE = 3;
  public static final int SKY = 4;
  public static final int PERSON = 5;
  public static final int VEHICLE = 6;

  private StreetClasses() {}
}

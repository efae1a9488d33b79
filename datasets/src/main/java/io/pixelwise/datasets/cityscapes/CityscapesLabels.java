package io.pixelwise.datasets.cityscapes;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.datasets.StreetClasses;
import java.util.List;

/**
 * The official Cityscapes label table (cityscapesScripts {@code helpers/labels.py}) and the two
 * label sets Pixelwise trains on.
 *
 * <ul>
 *   <li>19 classes: the official train ids. Ids the benchmark ignores (void, parking, rail track,
 *       guard rail, bridge, tunnel, pole group, caravan, trailer, license plate) become ignore.
 *   <li>7 classes (the course notebooks): the official categories, renamed — flat → road,
 *       construction → building, object → infrastructure, nature, sky, human → person, vehicle.
 *       The ids the benchmark ignores stay ignored here too, so that the 7-class score is the
 *       official category-level score; void (0–6) is ignore.
 * </ul>
 */
public final class CityscapesLabels {
  private CityscapesLabels() {}

  /** One row of labels.py: label id, name, train id (255 = ignored), the 7-class id (255 = ignored). */
  public record Label(int id, String name, int trainId, int sevenId) {}

  private static final int I = StreetClasses.IGNORE;

  public static final List<Label> TABLE =
      List.of(
          new Label(0, "unlabeled", I, I),
          new Label(1, "ego vehicle", I, I),
          new Label(2, "rectification border", I, I),
          new Label(3, "out of roi", I, I),
          new Label(4, "static", I, I),
          new Label(5, "dynamic", I, I),
          new Label(6, "ground", I, I),
          new Label(7, "road", 0, StreetClasses.ROAD),
          new Label(8, "sidewalk", 1, StreetClasses.ROAD),
          new Label(9, "parking", I, I),
          new Label(10, "rail track", I, I),
          new Label(11, "building", 2, StreetClasses.BUILDING),
          new Label(12, "wall", 3, StreetClasses.BUILDING),
          new Label(13, "fence", 4, StreetClasses.BUILDING),
          new Label(14, "guard rail", I, I),
          new Label(15, "bridge", I, I),
          new Label(16, "tunnel", I, I),
          new Label(17, "pole", 5, StreetClasses.INFRASTRUCTURE),
          new Label(18, "polegroup", I, I),
          new Label(19, "traffic light", 6, StreetClasses.INFRASTRUCTURE),
          new Label(20, "traffic sign", 7, StreetClasses.INFRASTRUCTURE),
          new Label(21, "vegetation", 8, StreetClasses.NATURE),
          new Label(22, "terrain", 9, StreetClasses.NATURE),
          new Label(23, "sky", 10, StreetClasses.SKY),
          new Label(24, "person", 11, StreetClasses.PERSON),
          new Label(25, "rider", 12, StreetClasses.PERSON),
          new Label(26, "car", 13, StreetClasses.VEHICLE),
          new Label(27, "truck", 14, StreetClasses.VEHICLE),
          new Label(28, "bus", 15, StreetClasses.VEHICLE),
          new Label(29, "caravan", I, I),
          new Label(30, "trailer", I, I),
          new Label(31, "train", 16, StreetClasses.VEHICLE),
          new Label(32, "motorcycle", 17, StreetClasses.VEHICLE),
          new Label(33, "bicycle", 18, StreetClasses.VEHICLE),
          // Never drawn into the label PNGs (negative id); listed for completeness.
          new Label(-1, "license plate", I, I));

  /** The 19 evaluated classes with the official colours. */
  public static final ClassInfo NINETEEN =
      new ClassInfo(
          List.of(
              SegmentationClass.of("road", 128, 64, 128),
              SegmentationClass.of("sidewalk", 244, 35, 232),
              SegmentationClass.of("building", 70, 70, 70),
              SegmentationClass.of("wall", 102, 102, 156),
              SegmentationClass.of("fence", 190, 153, 153),
              SegmentationClass.of("pole", 153, 153, 153),
              SegmentationClass.of("traffic-light", 250, 170, 30),
              SegmentationClass.of("traffic-sign", 220, 220, 0),
              SegmentationClass.of("vegetation", 107, 142, 35),
              SegmentationClass.of("terrain", 152, 251, 152),
              SegmentationClass.of("sky", 70, 130, 180),
              SegmentationClass.of("person", 220, 20, 60),
              SegmentationClass.of("rider", 255, 0, 0),
              SegmentationClass.of("car", 0, 0, 142),
              SegmentationClass.of("truck", 0, 0, 70),
              SegmentationClass.of("bus", 0, 60, 100),
              SegmentationClass.of("train", 0, 80, 100),
              SegmentationClass.of("motorcycle", 0, 0, 230),
              SegmentationClass.of("bicycle", 119, 11, 32)),
          StreetClasses.IGNORE,
          0x000000);

  /** Lookup from label id (0..33, as stored in {@code *_gtFine_labelIds.png}) to train id. */
  public static int[] lookup(boolean sevenClasses) {
    int[] table = new int[34];
    for (Label label : TABLE) {
      if (label.id() >= 0) {
        table[label.id()] = sevenClasses ? label.sevenId() : label.trainId();
      }
    }
    return table;
  }
}

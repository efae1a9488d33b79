package io.pixelwise.datasets.kitti;

import static io.pixelwise.datasets.DatasetSupport.list;
import static io.pixelwise.datasets.DatasetSupport.listed;

import com.typesafe.config.Config;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.datasets.FileSamples;
import io.pixelwise.api.data.Dataset;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.StreetClasses;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * KITTI Road in its official layout ({@code data_road.zip}): {@code training/image_2/<cat>_NNNNNN.png}
 * with {@code training/gt_image_2/<cat>_road_NNNNNN.png} (or, for the ego lane, {@code
 * um_lane_NNNNNN.png}), and unlabelled {@code testing/image_2/}. Categories: {@code um} (urban
 * marked), {@code umm} (urban multiple marked lanes), {@code uu} (urban unmarked).
 *
 * <p>The benchmark has no labelled validation set, so train and val are a seeded split of
 * {@code training/}, stratified by category so that both hold every kind of street; {@code test}
 * is {@code testing/} without labels (for {@code predict}).
 */
public final class KittiRoad implements Dataset {

  /** Which ground truth to learn: the whole road, or (urban marked only) the ego lane. */
  public enum GroundTruth {
    ROAD,
    LANE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final int OTHER = 0;
  static final int TARGET = 1;

  // Class colours are the ground truth's own, so predicted label maps read like KITTI's.
  static final int MAGENTA = 0xff00ff;
  static final int RED = 0xff0000;
  static final int BLACK = 0x000000;

  private static final ClassInfo ROAD_CLASSES =
      new ClassInfo(
          List.of(new SegmentationClass("not-road", RED), new SegmentationClass("road", MAGENTA)),
          StreetClasses.IGNORE,
          BLACK);
  private static final ClassInfo LANE_CLASSES =
      new ClassInfo(
          List.of(new SegmentationClass("not-ego-lane", RED), new SegmentationClass("ego-lane", MAGENTA)),
          StreetClasses.IGNORE,
          BLACK);

  private static final List<String> CATEGORIES = List.of("um", "umm", "uu");
  private static final Pattern IMAGE = Pattern.compile("(um|umm|uu)_(\\d{6})\\.png");
  // Lane ground truth exists for urban marked only.
  private static final Pattern GROUND_TRUTH = Pattern.compile("(?:(um|umm|uu)_road|(um)_lane)_(\\d{6})\\.png");
  private static final String DOWNLOAD =
      "data_road.zip from http://www.cvlibs.net/datasets/kitti/eval_road.php, unpacked so that the"
          + " dataset's root option names its data_road folder";

  private final Path root;
  private final GroundTruth groundTruth;
  private final double valFraction;
  private final long seed;
  private final InputSize size;
  private final ImageReader images;
  private Map<Split, List<Entry>> trainVal;

  /** One image and its ground truth (null in testing/). */
  record Entry(String id, String category, Path image, Path groundTruth) {}

  /**
   * @param size the size samples are loaded at; null keeps each file's own (about 1242x375)
   * @param images reads the image and ground-truth files
   */
  public KittiRoad(Path root, GroundTruth groundTruth, double valFraction, long seed, InputSize size, ImageReader images) {
    if (!(valFraction > 0 && valFraction < 1)) {
      throw new IllegalArgumentException(
          "datasets.kitti-road.val-fraction must be between 0 and 1 (exclusive): the validation share"
              + " of training/, got " + valFraction);
    }
    this.root = root;
    this.groundTruth = groundTruth;
    this.valFraction = valFraction;
    this.seed = seed;
    this.size = size;
    this.images = images;
  }

  /** Options: {@code root}, {@code ground-truth} (road or lane), {@code val-fraction}, {@code seed}. */
  public static KittiRoad fromConfig(DatasetContext context) {
    Config options = context.options();
    String root = options.getString("root");
    if (root.isBlank()) {
      throw new IllegalArgumentException(
          "datasets.kitti-road.root is empty: set it to the data_road folder of " + DOWNLOAD);
    }
    String gt = options.getString("ground-truth");
    GroundTruth groundTruth =
        switch (gt) {
          case "road" -> GroundTruth.ROAD;
          case "lane" -> GroundTruth.LANE;
          default -> throw new IllegalArgumentException(
              "datasets.kitti-road.ground-truth: expected road (um/umm/uu_road_*.png) or lane"
                  + " (um_lane_*.png, urban marked only), got '" + gt + "'");
        };
    return new KittiRoad(Path.of(root), groundTruth, options.getDouble("val-fraction"), options.getLong("seed"), context.size(), context.images());
  }

  @Override
  public ClassInfo classes() {
    return groundTruth == GroundTruth.ROAD ? ROAD_CLASSES : LANE_CLASSES;
  }

  @Override
  public SampleSource split(Split split) {
    List<Entry> entries = split == Split.TEST ? testing() : trainVal().get(split);
    return FileSamples.of(entries, this::load, e -> Stream.of(e.image(), e.groundTruth()), "");
  }

  /** The categories this ground truth covers. */
  private List<String> categories() {
    return groundTruth == GroundTruth.ROAD ? CATEGORIES : List.of("um");
  }

  private synchronized Map<Split, List<Entry>> trainVal() {
    if (trainVal == null) {
      trainVal = stratifiedSplit(training());
    }
    return trainVal;
  }

  /**
   * Per category, a seeded shuffle of the images sorted by name, of which round(n * val-fraction),
   * but at least one and never all, go to val. Each category has its own random stream, so the
   * split of one does not depend on the others.
   */
  private Map<Split, List<Entry>> stratifiedSplit(List<Entry> all) {
    Map<String, List<Entry>> byCategory = new TreeMap<>();
    for (Entry e : all) {
      byCategory.computeIfAbsent(e.category(), c -> new ArrayList<>()).add(e);
    }
    List<Entry> train = new ArrayList<>();
    List<Entry> val = new ArrayList<>();
    for (String category : categories()) {
      List<Entry> group = byCategory.getOrDefault(category, List.of());
      if (group.size() < 2) {
        throw new IllegalArgumentException(
            "KITTI Road: " + trainingImages().toAbsolutePath() + " holds " + group.size() + " " + category
                + "_*.png image(s); the stratified train/val split needs at least 2 of each category "
                + categories() + " (is the download complete? " + DOWNLOAD + ")");
      }
      List<Entry> shuffled = new ArrayList<>(group);
      shuffled.sort(Comparator.comparing(Entry::id));
      Collections.shuffle(shuffled, new Random(seed * 0x9E3779B97F4A7C15L + category.hashCode()));
      int n = shuffled.size();
      int nVal = (int) Math.max(1, Math.min(n - 1, Math.round(n * valFraction)));
      val.addAll(shuffled.subList(0, nVal));
      train.addAll(shuffled.subList(nVal, n));
    }
    train.sort(Comparator.comparing(Entry::id));
    val.sort(Comparator.comparing(Entry::id));
    return Map.of(Split.TRAIN, List.copyOf(train), Split.VAL, List.copyOf(val));
  }

  private Path trainingImages() {
    return root.resolve("training").resolve("image_2");
  }

  /** training/image_2 paired with gt_image_2; every image needs its ground truth and vice versa. */
  private List<Entry> training() {
    Path images = trainingImages();
    Path gtFolder = root.resolve("training").resolve("gt_image_2");
    Map<String, Path> imageFiles = images(images, "training");
    requireFolder(gtFolder, "training ground truth");
    Map<String, Path> gtFiles = new TreeMap<>();
    for (Path file : list(gtFolder)) {
      String name = file.getFileName().toString();
      Matcher m = GROUND_TRUTH.matcher(name);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            file + ": unexpected file in gt_image_2; KITTI Road ground truth is named"
                + " {um,umm,uu}_road_NNNNNN.png or um_lane_NNNNNN.png");
      }
      boolean lane = m.group(2) != null;
      if (lane == (groundTruth == GroundTruth.LANE)) {
        gtFiles.put((lane ? m.group(2) : m.group(1)) + "_" + m.group(3), file);
      }
    }
    List<Entry> entries = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Path> image : imageFiles.entrySet()) {
      String id = image.getKey();
      Path gt = gtFiles.remove(id);
      if (gt == null) {
        missing.add(image.getValue().getFileName() + " (expected " + gtFolder.resolve(gtName(id)) + ")");
      } else {
        entries.add(new Entry(id, category(id), image.getValue(), gt));
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "KITTI Road: " + missing.size() + " training image(s) in " + images + " have no " + groundTruth.label()
              + " ground truth: " + listed(missing));
    }
    if (!gtFiles.isEmpty()) {
      List<String> orphans = gtFiles.entrySet().stream()
          .map(e -> e.getValue().getFileName() + " (expected " + images.resolve(e.getKey() + ".png") + ")")
          .toList();
      throw new IllegalArgumentException(
          "KITTI Road: " + orphans.size() + " ground truth file(s) in " + gtFolder + " have no image: " + listed(orphans));
    }
    return entries;
  }

  private List<Entry> testing() {
    Path images = root.resolve("testing").resolve("image_2");
    List<Entry> entries = new ArrayList<>();
    images(images, "testing").forEach((id, file) -> entries.add(new Entry(id, category(id), file, null)));
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(
          "KITTI Road: no " + String.join("/", categories()) + "_NNNNNN.png images in " + images.toAbsolutePath());
    }
    return List.copyOf(entries);
  }

  /** The images of this ground truth's categories in an image_2 folder, by id, in name order. */
  private Map<String, Path> images(Path folder, String part) {
    requireFolder(folder, part + " images");
    Map<String, Path> found = new TreeMap<>();
    for (Path file : list(folder)) {
      Matcher m = IMAGE.matcher(file.getFileName().toString());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            file + ": unexpected file in image_2; KITTI Road images are named {um,umm,uu}_NNNNNN.png");
      }
      if (categories().contains(m.group(1))) {
        found.put(m.group(1) + "_" + m.group(2), file);
      }
    }
    return found;
  }

  private void requireFolder(Path folder, String what) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException(
          "KITTI Road " + what + " not found: " + folder.toAbsolutePath() + " is not a folder. Expected"
              + " <root>/training/image_2/{um,umm,uu}_NNNNNN.png, <root>/training/gt_image_2/"
              + "{um,umm,uu}_road_NNNNNN.png and <root>/testing/image_2/ (" + DOWNLOAD + ")");
    }
  }

  private String gtName(String id) {
    int underscore = id.indexOf('_');
    return id.substring(0, underscore) + "_" + groundTruth.label() + id.substring(underscore) + ".png";
  }

  private static String category(String id) {
    return id.substring(0, id.indexOf('_'));
  }

  private Sample load(Entry entry) throws IOException {
    ImageReader.Decoded decoded = images.readResized(entry.image(), size, true);
    RasterImage image = decoded.image();
    if (entry.groundTruth() == null) {
      return new Sample(entry.id(), image, null);
    }
    BufferedImage gt = images.read(entry.groundTruth());
    if (gt.getWidth() != decoded.storedWidth() || gt.getHeight() != decoded.storedHeight()) {
      throw new IOException(
          entry.groundTruth() + ": ground truth is " + gt.getWidth() + "x" + gt.getHeight() + " but its image "
              + entry.image().getFileName() + " is " + decoded.storedWidth() + "x" + decoded.storedHeight());
    }
    // Colours are checked at full resolution; nearest resizing commutes with the decoding.
    return new Sample(entry.id(), image, decode(entry.groundTruth(), gt).resized(image.width(), image.height()));
  }

  /**
   * Ground-truth colours to train ids: magenta the road (or ego lane), red everything else, black
   * outside the valid area (ignored). Anything else, including a transparent pixel, means the file
   * is not KITTI ground truth (resaved lossy, recoloured) and stops the load.
   */
  LabelMap decode(Path file, BufferedImage gt) throws IOException {
    if (gt.getColorModel().getNumColorComponents() != 3) {
      // A grey mask would pass wherever it is black (ignore): refuse it whole.
      throw new IOException(
          file + ": ground truth is a grey image; KITTI Road ground truth is RGB (magenta road, red not"
              + " road, black outside the valid area)");
    }
    int w = gt.getWidth();
    int h = gt.getHeight();
    int[] argb = gt.getRGB(0, 0, w, h, null, 0, w);
    byte[] ids = new byte[argb.length];
    for (int i = 0; i < argb.length; i++) {
      int c = argb[i];
      int id;
      if (c >>> 24 != 0xff) {
        id = -1;
      } else {
        id = switch (c & 0xffffff) {
          case MAGENTA -> TARGET;
          case RED -> OTHER;
          case BLACK -> StreetClasses.IGNORE;
          default -> -1;
        };
      }
      if (id < 0) {
        throw new IOException(
            file + ": pixel (" + i % w + ", " + i / w + ") has colour (" + (c >> 16 & 0xff) + ", " + (c >> 8 & 0xff)
                + ", " + (c & 0xff) + (c >>> 24 != 0xff ? ", alpha " + (c >>> 24) : "") + "); KITTI Road ground"
                + " truth holds only magenta (255, 0, 255) = " + classes().name(TARGET) + ", red (255, 0, 0) = "
                + classes().name(OTHER) + " and black (0, 0, 0) = outside the valid area (ignored)");
      }
      ids[i] = (byte) id;
    }
    return new LabelMap(w, h, ids);
  }
}

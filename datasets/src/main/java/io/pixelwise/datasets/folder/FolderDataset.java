package io.pixelwise.datasets.folder;

import static io.pixelwise.datasets.DatasetSupport.choice;
import static io.pixelwise.datasets.DatasetSupport.list;
import static io.pixelwise.datasets.DatasetSupport.listed;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
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
import io.pixelwise.datasets.folder.MaskDecoder.Encoding;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Any folder of images with a folder of masks beside it, matched by file stem: {@code
 * images/<stem>.{png,jpg,jpeg}} with {@code masks/<stem><mask-suffix>.png}. Either split
 * sub-folders ({@code images/train/}, {@code images/val/}, {@code images/test/} and the same under
 * {@code masks/}; the test split may have no masks) or one flat folder split by a seed. Class names
 * and colours come from the config; masks hold class ids (palette index or grey level) or class
 * colours (see {@link MaskDecoder}). Grey images stay single-channel.
 */
public final class FolderDataset implements Dataset {

  /** Where the splits come from. */
  enum SplitMode {
    /** {@link #FOLDERS} when {@code images/train/} exists, otherwise {@link #RANDOM}. */
    AUTO,
    /** {@code images/{train,val,test}/} and {@code masks/{train,val,test}/}. */
    FOLDERS,
    /** One flat folder, shuffled with the seed and cut by val-fraction and test-fraction. */
    RANDOM
  }

  private static final Set<String> IMAGE_TYPES = Set.of("png", "jpg", "jpeg");
  private static final Set<String> MASK_TYPES = Set.of("png");
  /** Image formats people keep data in that this build cannot read: an error, not a skipped file. */
  private static final Set<String> UNSUPPORTED = Set.of("bmp", "gif", "tif", "tiff", "webp");

  private final Path images;
  private final Path masks;
  private final String maskSuffix;
  private final SplitMode splitMode;
  private final double valFraction;
  private final double testFraction;
  private final long seed;
  private final ClassInfo classes;
  private final MaskDecoder decoder;
  private final Padding padding;
  private final int paddingValue;
  private final InputSize size;
  private final ImageReader reader;
  private Map<Split, List<Pair>> randomSplits;

  /** An image and its mask, or null where the split has no masks. */
  record Pair(String id, Path image, Path mask) {}

  private FolderDataset(Config o, InputSize size, ImageReader reader) {
    Path root = Path.of(o.getString("root"));
    this.images = folder(o, "images", root);
    this.masks = folder(o, "masks", root);
    this.maskSuffix = o.getString("mask-suffix");
    this.splitMode = choice(o, "folder", "split", SplitMode.class);
    this.valFraction = o.getDouble("val-fraction");
    this.testFraction = o.getDouble("test-fraction");
    if (valFraction < 0 || testFraction < 0 || valFraction + testFraction >= 1) {
      throw new IllegalArgumentException(
          "datasets.folder.val-fraction (" + valFraction + ") and test-fraction (" + testFraction + ") must"
              + " be >= 0 and leave some images for training (sum below 1)");
    }
    this.seed = o.getLong("seed");
    Encoding encoding = choice(o, "folder", "mask-encoding", Encoding.class);
    List<Integer> ignoreColours = new ArrayList<>();
    List<? extends ConfigValue> ignored = o.getList("ignore-colors");
    for (int i = 0; i < ignored.size(); i++) {
      ignoreColours.add(rgb(ignored.get(i), "ignore-colors[" + i + "]"));
    }
    this.classes = new ClassInfo(
        classList(o.getList("classes")), StreetClasses.IGNORE, ignoreColours.isEmpty() ? 0x000000 : ignoreColours.get(0));
    this.decoder = new MaskDecoder(encoding, classes, o.getIntList("ignore-ids"), ignoreColours, reader);
    this.padding = choice(o, "folder", "padding", Padding.class);
    this.paddingValue = o.getInt("padding-value");
    if (paddingValue < 0 || paddingValue > 255) {
      throw new IllegalArgumentException("datasets.folder.padding-value must be a pixel value 0..255, got " + paddingValue);
    }
    this.size = size;
    this.reader = reader;
  }

  /**
   * Options: {@code root}, {@code images}, {@code masks}, {@code mask-suffix}, {@code split},
   * {@code val-fraction}, {@code test-fraction}, {@code seed}, {@code mask-encoding}, {@code
   * classes}, {@code ignore-ids}, {@code ignore-colors}, {@code padding}, {@code padding-value}
   * (documented in reference.conf).
   *
   * <p>The context's size is the model input: with padding, smaller images are padded up to it.
   */
  public static FolderDataset fromConfig(DatasetContext context) {
    return new FolderDataset(context.options(), context.size(), context.images());
  }

  private static Path folder(Config o, String key, Path root) {
    String explicit = o.getString(key);
    if (!explicit.isBlank()) {
      return Path.of(explicit);
    }
    if (o.getString("root").isBlank()) {
      throw new IllegalArgumentException(
          "datasets.folder.root is empty and so is datasets.folder." + key + ": set root to the folder"
              + " holding images/ and masks/, or set images and masks");
    }
    return root.resolve(key);
  }

  private static List<SegmentationClass> classList(List<? extends ConfigValue> entries) {
    if (entries.isEmpty() || entries.size() > 255) {
      throw new IllegalArgumentException(
          "datasets.folder.classes: expected 1 to 255 classes, got " + entries.size());
    }
    List<SegmentationClass> list = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = "classes[" + i + "]";
      if (!(entries.get(i) instanceof ConfigObject entry)) {
        throw new IllegalArgumentException(
            "datasets.folder." + at + ": expected { name = ..., color = [r, g, b] }, got " + entries.get(i).render(ConfigRenderOptions.concise()));
      }
      ConfigValue name = entry.get("name");
      if (name == null || name.valueType() != ConfigValueType.STRING || ((String) name.unwrapped()).isBlank()) {
        throw new IllegalArgumentException("datasets.folder." + at + ".name: every class needs a name");
      }
      String n = (String) name.unwrapped();
      if (!names.add(n)) {
        throw new IllegalArgumentException("datasets.folder." + at + ".name: '" + n + "' is listed twice");
      }
      ConfigValue colour = entry.get("color");
      if (colour == null) {
        throw new IllegalArgumentException(
            "datasets.folder." + at + ".color: class '" + n + "' needs a colour, color = [r, g, b]");
      }
      list.add(new SegmentationClass(n, rgb(colour, at + ".color")));
    }
    return list;
  }

  /** [r, g, b] with 0..255 components, as 0xRRGGBB. */
  private static int rgb(ConfigValue value, String at) {
    if (value instanceof ConfigList list && list.size() == 3) {
      int rgb = 0;
      for (ConfigValue component : list) {
        if (!(component.unwrapped() instanceof Number number)
            || number.doubleValue() != number.intValue()
            || number.intValue() < 0
            || number.intValue() > 255) {
          rgb = -1;
          break;
        }
        rgb = rgb << 8 | number.intValue();
      }
      if (rgb >= 0) {
        return rgb;
      }
    }
    throw new IllegalArgumentException(
        "datasets.folder." + at + ": expected a colour [r, g, b] of integers 0..255, got " + value.render(ConfigRenderOptions.concise()));
  }

  @Override
  public ClassInfo classes() {
    return classes;
  }

  @Override
  public SampleSource split(Split split) {
    requireFolder(images, "images", "the images folder");
    List<Pair> pairs = usesFolders() ? fromFolder(split) : randomSplits().get(split);
    if (pairs.isEmpty()) {
      String fraction = split == Split.VAL ? "val-fraction" : "test-fraction";
      throw new IllegalArgumentException(
          "folder dataset has no " + split.label() + " split: datasets.folder." + fraction + " is 0; set it, or put"
              + " the split in images/" + split.label() + "/ with split = folders");
    }
    return FileSamples.of(pairs, this::load, p -> Stream.of(p.image(), p.mask()), "");
  }

  private boolean usesFolders() {
    return splitMode == SplitMode.FOLDERS
        || (splitMode == SplitMode.AUTO && Files.isDirectory(images.resolve(Split.TRAIN.label())));
  }

  private List<Pair> fromFolder(Split split) {
    for (Path top : List.of(images, masks)) {
      if (!Files.isDirectory(top)) {
        continue;
      }
      for (Path entry : list(top)) {
        String name = entry.getFileName().toString();
        boolean splitFolder = Files.isDirectory(entry)
            && Stream.of(Split.values()).anyMatch(s -> s.label().equals(name));
        if (!splitFolder) {
          throw new IllegalArgumentException(
              entry + ": with split folders, " + top + " may hold only train/, val/ and test/; move it into one"
                  + " of them (or set datasets.folder.split = random to split one flat folder)");
        }
      }
    }
    Path imageFolder = images.resolve(split.label());
    Path maskFolder = masks.resolve(split.label());
    requireFolder(imageFolder, split.label() + " images",
        "with split = folders (or auto, finding images/train/), each split needs its folder");
    if (split == Split.TEST && !Files.isDirectory(maskFolder)) {
      List<Pair> unlabelled = new ArrayList<>();
      files(imageFolder, IMAGE_TYPES, "image").forEach((stem, file) -> unlabelled.add(new Pair(stem, file, null)));
      if (unlabelled.isEmpty()) {
        throw new IllegalArgumentException("folder dataset: no images (png, jpg, jpeg) in " + imageFolder.toAbsolutePath());
      }
      return unlabelled;
    }
    requireFolder(maskFolder, split.label() + " masks", "every split but test needs masks");
    return pair(imageFolder, maskFolder);
  }

  private synchronized Map<Split, List<Pair>> randomSplits() {
    if (randomSplits == null) {
      requireFolder(masks, "masks", "the masks folder");
      List<Pair> all = new ArrayList<>(pair(images, masks));
      // pair() lists in name order, so the shuffle depends on the seed and the files only.
      Collections.shuffle(all, new Random(seed));
      int n = all.size();
      int test = count(n, testFraction);
      int val = count(n, valFraction);
      if (test + val >= n) {
        throw new IllegalArgumentException(
            "folder dataset: " + n + " image(s) in " + images + " are too few for val-fraction " + valFraction
                + " and test-fraction " + testFraction + " to leave any for training");
      }
      Map<Split, List<Pair>> splits = new EnumMap<>(Split.class);
      splits.put(Split.TEST, sorted(all.subList(0, test)));
      splits.put(Split.VAL, sorted(all.subList(test, test + val)));
      splits.put(Split.TRAIN, sorted(all.subList(test + val, n)));
      randomSplits = splits;
    }
    return randomSplits;
  }

  /** round(n * fraction), but at least one image for a fraction above 0. */
  private static int count(int n, double fraction) {
    return fraction > 0 ? (int) Math.max(1, Math.round(n * fraction)) : 0;
  }

  private static List<Pair> sorted(List<Pair> pairs) {
    List<Pair> copy = new ArrayList<>(pairs);
    copy.sort(Comparator.comparing(Pair::id));
    return List.copyOf(copy);
  }

  /** Images matched with masks by stem; any image without mask, or mask without image, is an error. */
  private List<Pair> pair(Path imageFolder, Path maskFolder) {
    Map<String, Path> imageFiles = files(imageFolder, IMAGE_TYPES, "image");
    Map<String, Path> maskFiles = files(maskFolder, MASK_TYPES, "mask");
    List<Pair> pairs = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Path> image : imageFiles.entrySet()) {
      Path mask = maskFiles.remove(image.getKey() + maskSuffix);
      if (mask == null) {
        missing.add(image.getValue().getFileName() + " (expected " + maskFolder.resolve(image.getKey() + maskSuffix + ".png") + ")");
      } else {
        pairs.add(new Pair(image.getKey(), image.getValue(), mask));
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "folder dataset: " + missing.size() + " image(s) in " + imageFolder + " have no mask: " + listed(missing));
    }
    if (!maskFiles.isEmpty()) {
      List<String> orphans = maskFiles.entrySet().stream()
          .map(e -> e.getValue().getFileName() + (e.getKey().endsWith(maskSuffix)
              ? " (expected an image " + e.getKey().substring(0, e.getKey().length() - maskSuffix.length())
                  + ".{png,jpg,jpeg} in " + imageFolder + ")"
              : " (its name does not end with the mask-suffix '" + maskSuffix + "')"))
          .toList();
      throw new IllegalArgumentException(
          "folder dataset: " + orphans.size() + " mask(s) in " + maskFolder + " have no image: " + listed(orphans));
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("folder dataset: no images (png, jpg, jpeg) in " + imageFolder.toAbsolutePath());
    }
    return pairs;
  }

  /**
   * The image files directly in a folder, by stem in name order. Hidden files and files of other
   * types (notes, thumbnails) are skipped; a sub-folder, an image format this build cannot read,
   * a JPEG mask (lossy: its class boundaries are blurred) or two files of one stem are errors.
   */
  private static Map<String, Path> files(Path folder, Set<String> types, String what) {
    Map<String, Path> found = new TreeMap<>();
    for (Path file : list(folder)) {
      String name = file.getFileName().toString();
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException(
            file + ": a folder among the " + what + "s; the folder dataset reads the files directly in "
                + folder + " (split folders go in images/{train,val,test}/ and masks/{train,val,test}/)");
      }
      int dot = name.lastIndexOf('.');
      String type = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (types.contains(type)) {
        Path before = found.put(name.substring(0, dot), file);
        if (before != null) {
          throw new IllegalArgumentException(
              file + " and " + before.getFileName() + ": two " + what + "s of one stem; keep one");
        }
      } else if (UNSUPPORTED.contains(type) || (!types.contains(type) && IMAGE_TYPES.contains(type))) {
        throw new IllegalArgumentException(
            file + ": " + what + "s must be " + String.join(" or ", types.stream().sorted().toList())
                + (IMAGE_TYPES.contains(type) ? " (lossless: JPEG blurs the class boundaries)" : " (convert it)"));
      }
    }
    return found;
  }

  private static void requireFolder(Path folder, String what, String hint) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException(
          "folder dataset " + what + " not found: " + folder.toAbsolutePath() + " is not a folder (" + hint + ")."
              + " Expected <root>/images/ and <root>/masks/ with matching file stems, or split folders"
              + " images/{train,val,test}/ and masks/{train,val,test}/; set datasets.folder.root, or images and masks");
    }
  }

  private Sample load(Pair pair) throws IOException {
    // Padded samples keep their pixels as stored; the others are resized while decoding.
    ImageReader.Decoded decoded = reader.readResized(pair.image(), padding == Padding.NONE ? size : null, false);
    RasterImage image = decoded.image();
    LabelMap labels = null;
    if (pair.mask() != null) {
      BufferedImage mask = reader.read(pair.mask());
      if (mask.getWidth() != decoded.storedWidth() || mask.getHeight() != decoded.storedHeight()) {
        throw new IOException(
            pair.mask() + ": mask is " + mask.getWidth() + "x" + mask.getHeight() + " but its image "
                + pair.image().getFileName() + " is " + decoded.storedWidth() + "x" + decoded.storedHeight());
      }
      labels = decoder.decode(pair.mask(), mask).resized(image.width(), image.height());
    }
    if (padding != Padding.NONE) {
      image = padding.pad(image, size.height(), size.width(), paddingValue);
      labels = labels == null ? null : padding.pad(labels, size.height(), size.width(), classes.ignoreId());
    }
    return new Sample(pair.id(), image, labels);
  }
}

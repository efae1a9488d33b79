package io.pixelwise.runner.predict;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.engine.input.Batch;
import io.pixelwise.engine.input.BatchLoader;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.imaging.ImageDecoding;
import io.pixelwise.runner.output.LabelImages;
import io.pixelwise.engine.output.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Labels image files: each is resized to the model's input size, predicted, and the labels scaled
 * back (nearest) to the original size. Writes {@code <stem>_labels.png} (palette PNG, pixel value =
 * train id) and {@code <stem>_overlay.png} (class colours over the image).
 */
public final class Predictor {
  private final ModelSession session;
  private final ClassInfo classes;
  private final InputSize size;
  private final int channels;
  private final ImageReader images;

  /** @param images reads the files, as the experiment's dataset reads its own */
  public Predictor(ModelSession session, ClassInfo classes, InputSize size, int channels, ImageReader images) {
    this.session = session;
    this.classes = classes;
    this.size = size;
    this.channels = channels;
    this.images = images;
  }

  /**
   * The image files named by {@code input}: an image, a folder (its PNG/JPEG files), a list file
   * ({@code .txt}/{@code .lst}, one path per line, relative to the list's folder; {@code #} comments),
   * or a glob such as {@code data/*&#47;*.png}; sorted, except a list keeps its order.
   */
  public static List<Path> inputs(Path input) throws IOException {
    return inputs(input.toString());
  }

  public static List<Path> inputs(String input) throws IOException {
    List<Path> files = find(input);
    java.util.Map<String, Path> byStem = new java.util.HashMap<>();
    for (Path file : files) {
      Path other = byStem.put(stem(file), file);
      if (other != null) {
        throw new IllegalArgumentException(
            "--input " + input + ": " + other + " and " + file + " would both write " + stem(file)
                + "_labels.png; predict them into different --output folders");
      }
    }
    return files;
  }

  private static List<Path> find(String input) throws IOException {
    if (input.contains("*") || input.contains("?") || input.contains("[") || input.contains("{")) {
      return glob(input);
    }
    Path path = Path.of(input);
    String lower = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (Files.isRegularFile(path) && (lower.endsWith(".txt") || lower.endsWith(".lst"))) {
      List<Path> listed = new java.util.ArrayList<>();
      Path base = path.toAbsolutePath().getParent();
      int line = 0;
      for (String entry : Files.readAllLines(path)) {
        line++;
        String trimmed = entry.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        Path file = base.resolve(trimmed);
        if (!Files.isRegularFile(file)) {
          throw new IllegalArgumentException(path + ":" + line + ": no such image file " + file);
        }
        listed.add(file);
      }
      if (listed.isEmpty()) {
        throw new IllegalArgumentException("--input " + path + " lists no images");
      }
      return listed;
    }
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          "--input " + input + " is neither an image file, a folder, a list file (.txt) nor a glob");
    }
    try (Stream<Path> files = Files.list(path)) {
      List<Path> images = files.filter(Predictor::isImage).sorted().toList();
      if (images.isEmpty()) {
        throw new IllegalArgumentException("--input " + input + " holds no .png, .jpg or .jpeg files");
      }
      return images;
    }
  }

  private static List<Path> glob(String pattern) throws IOException {
    // Walk from the longest leading part without glob characters.
    String normalized = pattern.replace('\\', '/');
    int firstGlob = java.util.stream.IntStream.range(0, normalized.length())
        .filter(i -> "*?[{".indexOf(normalized.charAt(i)) >= 0).findFirst().orElse(normalized.length());
    int slash = normalized.lastIndexOf('/', firstGlob);
    Path base = slash < 0 ? Path.of(".") : Path.of(normalized.substring(0, slash + 1));
    String rest = slash < 0 ? normalized : normalized.substring(slash + 1);
    var matcher = base.getFileSystem().getPathMatcher("glob:" + rest);
    if (!Files.isDirectory(base)) {
      throw new IllegalArgumentException("--input " + pattern + ": folder " + base + " does not exist");
    }
    try (Stream<Path> files = Files.walk(base)) {
      List<Path> images = files.filter(p -> matcher.matches(base.relativize(p))).filter(Predictor::isImage).sorted().toList();
      if (images.isEmpty()) {
        throw new IllegalArgumentException("--input " + pattern + " matches no .png, .jpg or .jpeg files");
      }
      return images;
    }
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
  }

  /** Predicts every file, writing the pictures into {@code output}; returns the number of images. */
  public int run(List<Path> files, Path output) throws IOException {
    return run(files, output, null);
  }

  private static final java.util.regex.Pattern KITTI_NAME = java.util.regex.Pattern.compile("(um|umm|uu)_(\\d{6})");

  /**
   * As {@link #run(List, Path)}; with {@code confidenceClass}, also a grey PNG of that class's
   * probability (0..255) per image, named as the KITTI Road devkit expects for its images
   * ({@code um_road_000000.png}) and {@code <stem>_<class>_confidence.png} otherwise.
   */
  public int run(List<Path> files, Path output, String confidenceClass) throws IOException {
    Files.createDirectories(output);
    int confidenceId = -1;
    if (confidenceClass != null) {
      confidenceId = classes.names().indexOf(confidenceClass);
      if (confidenceId < 0) {
        throw new IllegalArgumentException(
            "--confidence " + confidenceClass + ": not a class of this model; classes: " + String.join(", ", classes.names()));
      }
    }
    byte[] predictions = new byte[size.height() * size.width()];
    float[] probabilities = confidenceId < 0 ? null : new float[size.height() * size.width() * classes.size()];
    try (Progress progress = Progress.start("predict", files.size())) {
      for (Path file : files) {
        RasterImage original = decode(images, file, channels);
        RasterImage resized = modelInput(original);
        try (Batch batch = new Batch(1, size.height(), size.width(), channels, resized.pixels(), null, List.of(file.toString()))) {
          session.predict(batch, predictions, probabilities);
        }
        LabelMap labels =
            new LabelMap(size.width(), size.height(), predictions.clone()).resized(original.width(), original.height());
        String stem = stem(file);
        LabelImages.writePng(
            LabelImages.palette(labels.ids(), 0, labels.width(), labels.height(), classes),
            output.resolve(stem + "_labels.png"));
        LabelImages.writePng(
            LabelImages.overlay(original.pixels(), 0, original.channels(), labels.ids(), 0, labels.width(), labels.height(), classes, 0.5),
            output.resolve(stem + "_overlay.png"));
        if (probabilities != null) {
          byte[] confidence = new byte[size.height() * size.width()];
          for (int i = 0; i < confidence.length; i++) {
            confidence[i] = (byte) Math.round(Math.max(0, Math.min(1, probabilities[i * classes.size() + confidenceId])) * 255);
          }
          RasterImage map = ImageDecoding.resize(new RasterImage(size.width(), size.height(), 1, confidence), original.width(), original.height());
          var kitti = KITTI_NAME.matcher(stem);
          String name = kitti.matches()
              ? kitti.group(1) + "_" + confidenceClass + "_" + kitti.group(2) + ".png"
              : stem + "_" + confidenceClass + "_confidence.png";
          LabelImages.writePng(LabelImages.grey(map), output.resolve(name));
        }
        progress.step(1, stem);
      }
    }
    return files.size();
  }

  /** What the model is fed for {@code file}: the same bytes as training and evaluation feed it. */
  RasterImage modelInput(Path file) throws IOException {
    return modelInput(decode(images, file, channels));
  }

  private RasterImage modelInput(RasterImage original) {
    return ImageDecoding.resize(original, size.width(), size.height());
  }

  /**
   * Decodes as the datasets do (TensorFlow's or the fast PNG decoder, grey replicated to RGB for a
   * colour model before resizing, as datasets read it), then converts to the model's channel count
   * as the training pipeline does.
   */
  public static RasterImage decode(ImageReader images, Path file, int channels) throws IOException {
    RasterImage image = images.readResized(file, null, channels == 3).image();
    return BatchLoader.toChannels(image, channels, file.toString());
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}

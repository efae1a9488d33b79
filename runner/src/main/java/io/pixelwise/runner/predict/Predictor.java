package io.pixelwise.runner.predict;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.ImageFiles;
import io.pixelwise.runner.data.Batch;
import io.pixelwise.runner.data.BatchLoader;
import io.pixelwise.runner.data.Resize;
import io.pixelwise.runner.engine.ModelSession;
import io.pixelwise.runner.output.LabelImages;
import io.pixelwise.runner.output.Progress;
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

  public Predictor(ModelSession session, ClassInfo classes, InputSize size, int channels) {
    this.session = session;
    this.classes = classes;
    this.size = size;
    this.channels = channels;
  }

  /** The image files named by {@code input}: the file itself, or the PNG/JPEG files in a folder, sorted. */
  public static List<Path> inputs(Path input) throws IOException {
    if (Files.isRegularFile(input)) {
      return List.of(input);
    }
    if (!Files.isDirectory(input)) {
      throw new IllegalArgumentException("--input " + input + " is neither an image file nor a folder");
    }
    try (Stream<Path> files = Files.list(input)) {
      List<Path> images = files.filter(Predictor::isImage).sorted().toList();
      if (images.isEmpty()) {
        throw new IllegalArgumentException("--input " + input + " holds no .png, .jpg or .jpeg files");
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
    Files.createDirectories(output);
    byte[] predictions = new byte[size.height() * size.width()];
    try (Progress progress = Progress.start("predict", files.size())) {
      for (Path file : files) {
        RasterImage original = read(file);
        RasterImage resized = Resize.image(original, size.width(), size.height());
        session.predict(
            new Batch(1, size.height(), size.width(), channels, resized.pixels(), null, List.of(file.toString())),
            predictions);
        LabelMap labels =
            Resize.labels(new LabelMap(size.width(), size.height(), predictions.clone()), original.width(), original.height());
        String stem = stem(file);
        LabelImages.writePng(
            LabelImages.palette(labels.ids(), 0, labels.width(), labels.height(), classes),
            output.resolve(stem + "_labels.png"));
        LabelImages.writePng(
            LabelImages.overlay(original.pixels(), 0, original.channels(), labels.ids(), 0, labels.width(), labels.height(), classes, 0.5),
            output.resolve(stem + "_overlay.png"));
        progress.step(1, stem);
      }
    }
    return files.size();
  }

  /**
   * Decodes like the datasets do (grey PNGs keep their stored levels), then converts to the
   * model's channel count exactly as the training pipeline does.
   */
  private RasterImage read(Path file) throws IOException {
    RasterImage image = ImageFiles.pixels(ImageFiles.read(file));
    return BatchLoader.toChannels(image, channels, file.toString());
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}

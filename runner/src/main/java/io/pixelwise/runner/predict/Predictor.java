package io.pixelwise.runner.predict;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.runner.data.Batch;
import io.pixelwise.runner.data.Resize;
import io.pixelwise.runner.engine.ModelSession;
import io.pixelwise.runner.output.LabelImages;
import io.pixelwise.runner.output.Progress;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

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

  private RasterImage read(Path file) throws IOException {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": not a readable image (" + e.getMessage() + ")", e);
    }
    if (img == null) {
      throw new IOException(file + ": not a PNG or JPEG image");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] px = new byte[w * h * channels];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        int p = (y * w + x) * channels;
        if (channels == 3) {
          px[p] = (byte) (rgb >> 16);
          px[p + 1] = (byte) (rgb >> 8);
          px[p + 2] = (byte) rgb;
        } else {
          px[p] = (byte) Math.round(0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff));
        }
      }
    }
    return new RasterImage(w, h, channels, px);
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}

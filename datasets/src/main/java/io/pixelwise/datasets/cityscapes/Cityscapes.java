package io.pixelwise.datasets.cityscapes;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.datasets.FileSamples;
import io.pixelwise.api.data.Dataset;
import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.StreetClasses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cityscapes in its official layout: {@code leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png} with
 * {@code gtFine/<split>/<city>/<stem>_gtFine_labelIds.png}, label ids mapped by {@link
 * CityscapesLabels} to 19 or 7 classes.
 */
public final class Cityscapes implements Dataset {
  static final String IMAGE_SUFFIX = "_leftImg8bit.png";
  static final String LABEL_SUFFIX = "_gtFine_labelIds.png";

  private final Path root;
  private final boolean seven;
  private final int[] lookup;
  private final InputSize size;
  private final ImageReader images;

  /**
   * @param size the size samples are loaded at; null keeps the files' 2048x1024
   * @param images reads the image and label files
   */
  public Cityscapes(Path root, boolean sevenClasses, InputSize size, ImageReader images) {
    this.root = root;
    this.seven = sevenClasses;
    this.size = size;
    this.images = images;
    this.lookup = CityscapesLabels.lookup(sevenClasses);
  }

  @Override
  public ClassInfo classes() {
    return seven ? StreetClasses.SEVEN : CityscapesLabels.NINETEEN;
  }

  @Override
  public SampleSource split(Split split) {
    Path images = root.resolve("leftImg8bit").resolve(split.label());
    Path labels = root.resolve("gtFine").resolve(split.label());
    if (!Files.isDirectory(images)) {
      throw new IllegalArgumentException(
          "Cityscapes " + split.label() + " images not found: " + images.toAbsolutePath()
              + " is not a folder. Expected <root>/leftImg8bit/{train,val,test}/<city>/*"
              + IMAGE_SUFFIX + " with <root>/gtFine/... beside it (leftImg8bit_trainvaltest.zip and"
              + " gtFine_trainvaltest.zip from https://www.cityscapes-dataset.com/downloads/);"
              + " set the dataset's root option to where you unpacked them");
    }
    List<Path[]> pairs = new ArrayList<>();
    try (Stream<Path> files = Files.walk(images)) {
      for (Path image : files.filter(p -> p.getFileName().toString().endsWith(IMAGE_SUFFIX)).sorted().toList()) {
        String name = image.getFileName().toString();
        String stem = name.substring(0, name.length() - IMAGE_SUFFIX.length());
        Path label = labels.resolve(images.relativize(image.getParent())).resolve(stem + LABEL_SUFFIX);
        if (!Files.isRegularFile(label)) {
          throw new IllegalArgumentException(image + " has no label: expected " + label);
        }
        pairs.add(new Path[] {image, label});
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + images, e);
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("no *" + IMAGE_SUFFIX + " files under " + images.toAbsolutePath());
    }
    return FileSamples.of(pairs, pair -> load(pair[0], pair[1]), Stream::of, seven ? "7:" : "19:");
  }

  private Sample load(Path imageFile, Path labelFile) throws IOException {
    ImageReader.Decoded decoded = images.readResized(imageFile, size, true);
    RasterImage image = decoded.image();
    int width = decoded.storedWidth();
    ImageReader.Samples labelImage = images.readSamples(labelFile);
    if (labelImage.width() != width || labelImage.height() != decoded.storedHeight()) {
      throw new IOException(
          labelFile + ": label is " + labelImage.width() + "x" + labelImage.height()
              + " but its image " + imageFile.getFileName() + " is " + width + "x" + decoded.storedHeight());
    }
    byte[] mapped = new byte[width * labelImage.height()];
    for (int i = 0; i < mapped.length; i++) {
      int id = labelImage.get(i);
      if (id < 0 || id >= lookup.length) {
        throw new IOException(
            labelFile + ": label id " + id + " at pixel (" + i % width + ", " + i / width
                + ") is not a Cityscapes label id (0..33); is this a *_gtFine_labelIds.png?");
      }
      mapped[i] = (byte) lookup[id];
    }
    String name = imageFile.getFileName().toString();
    String id = name.substring(0, name.length() - IMAGE_SUFFIX.length());
    // Every pixel is checked at full resolution above; nearest resizing after the mapping equals
    // mapping after it, on 30x fewer pixels.
    LabelMap labels = new LabelMap(width, decoded.storedHeight(), mapped).resized(image.width(), image.height());
    return new Sample(id, image, labels);
  }
}

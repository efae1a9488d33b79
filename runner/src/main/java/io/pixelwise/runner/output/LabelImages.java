package io.pixelwise.runner.output;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.RasterImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** PNG pictures of label maps: palette PNGs (pixel value = train id) and colour overlays. */
public final class LabelImages {
  private LabelImages() {}

  /**
   * A palette PNG whose pixel values are the train ids and whose palette holds the class colours:
   * tools read the ids, image viewers show the colours.
   */
  public static BufferedImage palette(byte[] ids, int offset, int width, int height, ClassInfo classes) {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      int rgb = classes.rgb(i);
      r[i] = (byte) (rgb >> 16);
      g[i] = (byte) (rgb >> 8);
      b[i] = (byte) rgb;
    }
    BufferedImage img =
        new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
    byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    System.arraycopy(ids, offset, dst, 0, width * height);
    return img;
  }

  /** The image with class colours blended over it ({@code alpha} = weight of the colours). */
  public static BufferedImage overlay(
      byte[] pixels, int pixelOffset, int channels, byte[] ids, int idOffset, int width, int height, ClassInfo classes, double alpha) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = y * width + x;
        int base = pixelOffset + p * channels;
        int ir = pixels[base] & 0xff;
        int ig = pixels[base + (channels == 3 ? 1 : 0)] & 0xff;
        int ib = pixels[base + (channels == 3 ? 2 : 0)] & 0xff;
        int rgb = classes.rgb(ids[idOffset + p] & 0xff);
        int r = (int) Math.round(ir * (1 - alpha) + ((rgb >> 16) & 0xff) * alpha);
        int g = (int) Math.round(ig * (1 - alpha) + ((rgb >> 8) & 0xff) * alpha);
        int b = (int) Math.round(ib * (1 - alpha) + (rgb & 0xff) * alpha);
        img.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return img;
  }

  /** The image itself as an RGB picture. */
  public static BufferedImage rgb(RasterImage image) {
    BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
    byte[] px = image.pixels();
    int c = image.channels();
    for (int p = 0; p < image.width() * image.height(); p++) {
      int r = px[p * c] & 0xff;
      int g = px[p * c + (c == 3 ? 1 : 0)] & 0xff;
      int b = px[p * c + (c == 3 ? 2 : 0)] & 0xff;
      img.setRGB(p % image.width(), p / image.width(), r << 16 | g << 8 | b);
    }
    return img;
  }

  /** A one-channel image as an 8-bit grey BufferedImage. */
  public static BufferedImage grey(io.pixelwise.api.data.RasterImage image) {
    if (image.channels() != 1) {
      throw new IllegalArgumentException("expected a one-channel image, got " + image.channels() + " channels");
    }
    BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
    byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    System.arraycopy(image.pixels(), 0, dst, 0, dst.length);
    return out;
  }

  public static void writePng(BufferedImage image, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer available for " + file);
    }
  }
}

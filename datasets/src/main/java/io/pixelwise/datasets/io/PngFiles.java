package io.pixelwise.datasets.io;

import io.pixelwise.api.data.RasterImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads dataset images through ImageIO (PNG and JPEG built in; TwelveMonkeys plugins, when on the
 * class path, are picked up automatically) and turns every failure into an error naming the file.
 */
public final class PngFiles {
  private PngFiles() {}

  /** Decodes an image file; fails with the file's name if it is missing, unreadable or truncated. */
  public static BufferedImage read(Path file) throws IOException {
    BufferedImage image;
    try (InputStream in = Files.newInputStream(file)) {
      image = ImageIO.read(in);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": cannot decode image (corrupt or truncated?): " + e.getMessage(), e);
    }
    if (image == null) {
      throw new IOException(file + ": not an image format this build can read (PNG or JPEG expected)");
    }
    return image;
  }

  /** The image as 8-bit RGB, whatever its stored type (palette, grey, 16-bit, with alpha). */
  public static RasterImage rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] pixels = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      pixels[3 * i] = (byte) (argb[i] >> 16);
      pixels[3 * i + 1] = (byte) (argb[i] >> 8);
      pixels[3 * i + 2] = (byte) argb[i];
    }
    return new RasterImage(w, h, 3, pixels);
  }

  /**
   * The first band's raw sample values: the ids of a grey-level label PNG, or the palette indices of
   * an indexed one (never the palette's colours).
   */
  public static int[] samples(BufferedImage image) {
    Raster raster = image.getRaster();
    return raster.getSamples(0, 0, raster.getWidth(), raster.getHeight(), 0, (int[]) null);
  }
}

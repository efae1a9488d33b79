package io.pixelwise.datasets.folder;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.ImageReader;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Turns a mask image into train ids, by value or by colour. A value or colour outside the table,
 * or a pixel that is not fully opaque (its colour is then a guess), stops the load: a silently
 * wrong label would train the model on it.
 */
final class MaskDecoder {

  /** How mask pixels name their class. */
  enum Encoding {
    /** The stored value: a palette PNG's index, or a grey PNG's level (any bit depth, unscaled). */
    IDS,
    /** The RGB colour (a grey level g reads as (g, g, g)), looked up in the class colour table. */
    COLORS
  }

  private static final int MAX_VALUE = 65535;

  private final Encoding encoding;
  private final ClassInfo classes;
  private final int[] byValue;
  private final Map<Integer, Integer> byColour;
  private final String table;
  private final ImageReader images;

  /**
   * @param ignoreIds mask values that mean ignore ({@link Encoding#IDS})
   * @param ignoreColours 0xRRGGBB colours that mean ignore ({@link Encoding#COLORS})
   * @param images reads the masks' samples and grey levels
   */
  MaskDecoder(Encoding encoding, ClassInfo classes, List<Integer> ignoreIds, List<Integer> ignoreColours, ImageReader images) {
    this.encoding = encoding;
    this.images = images;
    this.classes = classes;
    if (encoding == Encoding.IDS) {
      byValue = new int[MAX_VALUE + 1];
      Arrays.fill(byValue, -1);
      for (int id = 0; id < classes.size(); id++) {
        byValue[id] = id;
      }
      for (int v : ignoreIds) {
        if (v < 0 || v > MAX_VALUE) {
          throw new IllegalArgumentException(
              "datasets.folder.ignore-ids: " + v + " cannot be a mask value (0..65535)");
        }
        if (v < classes.size()) {
          throw new IllegalArgumentException(
              "datasets.folder.ignore-ids: " + v + " is the id of class '" + classes.name(v)
                  + "'; ignore ids must differ from the class ids 0.." + (classes.size() - 1));
        }
        byValue[v] = classes.ignoreId();
      }
      byColour = null;
      table = "class ids 0.." + (classes.size() - 1) + " and ignore ids " + ignoreIds;
    } else {
      byValue = null;
      byColour = new HashMap<>();
      for (int id = 0; id < classes.size(); id++) {
        Integer before = byColour.put(classes.rgb(id), id);
        if (before != null) {
          throw new IllegalArgumentException(
              "datasets.folder.classes: '" + classes.name(before) + "' and '" + classes.name(id)
                  + "' share the colour " + rgbText(classes.rgb(id)) + "; with mask-encoding = colors each"
                  + " class needs its own");
        }
      }
      for (int c : ignoreColours) {
        Integer clash = byColour.put(c, classes.ignoreId());
        if (clash != null) {
          throw new IllegalArgumentException(
              "datasets.folder.ignore-colors: " + rgbText(c) + " is the colour of class '"
                  + classes.name(clash) + "'");
        }
      }
      table = "the colour table: "
          + IntStream.range(0, classes.size())
              .mapToObj(id -> classes.name(id) + " " + rgbText(classes.rgb(id)))
              .collect(Collectors.joining(", "))
          + "; ignored: "
          + (ignoreColours.isEmpty()
              ? "none"
              : ignoreColours.stream().map(MaskDecoder::rgbText).collect(Collectors.joining(", ")));
    }
  }

  static String rgbText(int rgb) {
    return "(" + (rgb >> 16 & 0xff) + ", " + (rgb >> 8 & 0xff) + ", " + (rgb & 0xff) + ")";
  }

  LabelMap decode(Path file, BufferedImage mask) throws IOException {
    int w = mask.getWidth();
    int h = mask.getHeight();
    requireOpaque(file, mask);
    byte[] ids = new byte[w * h];
    if (encoding == Encoding.IDS) {
      ColorModel model = mask.getColorModel();
      if (!(model instanceof IndexColorModel) && model.getNumColorComponents() != 1) {
        throw new IOException(
            file + ": mask is a colour (" + model.getNumColorComponents() + "-channel) image, but"
                + " mask-encoding = ids reads class ids from a palette or grey PNG; for colour masks set"
                + " mask-encoding = colors and give each class its colour");
      }
      int[] values = images.samples(mask);
      for (int i = 0; i < values.length; i++) {
        int id = byValue[values[i]];
        if (id < 0) {
          throw new IOException(
              file + ": pixel (" + i % w + ", " + i / w + ") has value " + values[i] + ", which is not in "
                  + table + (model instanceof IndexColorModel ? " (palette index)" : " (grey level)"));
        }
        ids[i] = (byte) id;
      }
    } else {
      int[] rgb = colours(mask);
      int lastRgb = -1;
      int lastId = -1;
      for (int i = 0; i < rgb.length; i++) {
        // Masks are mostly runs of one colour: skip the map lookup within a run.
        if (rgb[i] != lastRgb) {
          Integer id = byColour.get(rgb[i]);
          if (id == null) {
            throw new IOException(
                file + ": pixel (" + i % w + ", " + i / w + ") has colour " + rgbText(rgb[i]) + ", which is not in "
                    + table);
          }
          lastRgb = rgb[i];
          lastId = id;
        }
        ids[i] = (byte) lastId;
      }
    }
    return new LabelMap(w, h, ids);
  }

  /** Each pixel's 0xRRGGBB: palette entries, grey levels as (g, g, g) without Java's gamma, or RGB. */
  private int[] colours(BufferedImage mask) {
    ColorModel model = mask.getColorModel();
    int[] rgb;
    if (model instanceof IndexColorModel palette) {
      int[] entries = new int[palette.getMapSize()];
      palette.getRGBs(entries);
      rgb = images.samples(mask);
      for (int i = 0; i < rgb.length; i++) {
        rgb[i] = entries[rgb[i]] & 0xffffff;
      }
    } else if (model.getNumColorComponents() == 1) {
      rgb = images.greyLevels(mask);
      for (int i = 0; i < rgb.length; i++) {
        rgb[i] = rgb[i] * 0x010101;
      }
    } else {
      rgb = mask.getRGB(0, 0, mask.getWidth(), mask.getHeight(), null, 0, mask.getWidth());
      for (int i = 0; i < rgb.length; i++) {
        rgb[i] &= 0xffffff;
      }
    }
    return rgb;
  }

  private void requireOpaque(Path file, BufferedImage mask) throws IOException {
    ColorModel model = mask.getColorModel();
    if (model.getTransparency() == ColorModel.OPAQUE) {
      return;
    }
    int w = mask.getWidth();
    int[] alpha;
    int opaque;
    if (model instanceof IndexColorModel palette) {
      alpha = images.samples(mask);
      for (int i = 0; i < alpha.length; i++) {
        alpha[i] = palette.getAlpha(alpha[i]);
      }
      opaque = 255;
    } else {
      Raster raster = mask.getRaster();
      int band = raster.getNumBands() - 1;
      alpha = raster.getSamples(0, 0, w, mask.getHeight(), band, (int[]) null);
      opaque = (1 << raster.getSampleModel().getSampleSize(band)) - 1;
    }
    for (int i = 0; i < alpha.length; i++) {
      if (alpha[i] != opaque) {
        throw new IOException(
            file + ": pixel (" + i % w + ", " + i / w + ") is not opaque (alpha " + alpha[i] + " of " + opaque
                + "); a mask pixel's class must not depend on transparency");
      }
    }
  }
}

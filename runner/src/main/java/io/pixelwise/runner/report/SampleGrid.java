package io.pixelwise.runner.report;

import io.pixelwise.api.data.ClassInfo;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Rows of image | ground truth | prediction for a few validation images, in class colours. */
public final class SampleGrid {

  /** One evaluated image: interleaved pixels, its labels and the model's prediction (train ids). */
  public record Row(String id, int width, int height, int channels, byte[] pixels, byte[] truth, byte[] predicted) {}

  private static final int HEADER = 22;
  private static final int GAP = 4;

  private SampleGrid() {}

  public static BufferedImage draw(List<Row> rows, ClassInfo classes) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no samples to draw");
    }
    int w = rows.get(0).width();
    int h = rows.get(0).height();
    // Small inputs are scaled up so the grid stays readable.
    int scale = Math.max(1, 256 / Math.max(w, 1));
    int cw = w * scale;
    int ch = h * scale;
    BufferedImage grid =
        new BufferedImage(3 * cw + 4 * GAP, HEADER + rows.size() * (ch + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      String[] titles = {"image", "ground truth", "prediction"};
      for (int col = 0; col < 3; col++) {
        g.drawString(titles[col], GAP + col * (cw + GAP), 16);
      }
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      for (int r = 0; r < rows.size(); r++) {
        Row row = rows.get(r);
        int y = HEADER + r * (ch + GAP);
        g.drawImage(image(row), GAP, y, cw, ch, null);
        g.drawImage(colours(row.truth(), row, classes), GAP + cw + GAP, y, cw, ch, null);
        g.drawImage(colours(row.predicted(), row, classes), GAP + 2 * (cw + GAP), y, cw, ch, null);
      }
    } finally {
      g.dispose();
    }
    return grid;
  }

  private static BufferedImage image(Row row) {
    BufferedImage img = new BufferedImage(row.width(), row.height(), BufferedImage.TYPE_INT_RGB);
    byte[] p = row.pixels();
    int c = row.channels();
    for (int i = 0; i < row.width() * row.height(); i++) {
      int r = p[i * c] & 0xff;
      int gr = c == 3 ? p[i * c + 1] & 0xff : r;
      int b = c == 3 ? p[i * c + 2] & 0xff : r;
      img.setRGB(i % row.width(), i / row.width(), r << 16 | gr << 8 | b);
    }
    return img;
  }

  private static BufferedImage colours(byte[] ids, Row row, ClassInfo classes) {
    BufferedImage img = new BufferedImage(row.width(), row.height(), BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < row.width() * row.height(); i++) {
      img.setRGB(i % row.width(), i / row.width(), classes.rgb(ids[i] & 0xff));
    }
    return img;
  }
}

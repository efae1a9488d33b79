package io.pixelwise.runner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;

public class TensorBoardWriterTest {
  @TempDir Path dir;

  /** TFRecord's masked CRC32C, written here independently of TensorFlow to check its framing. */
  static int maskedCrc(byte[] bytes, int offset, int length) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  /** Reads TFRecords back, checking both checksums of every record. */
  public static List<Event> read(Path file) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (b.hasRemaining()) {
      byte[] len = new byte[8];
      b.get(len);
      long length = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(maskedCrc(len, 0, 8), b.getInt(), "length checksum");
      byte[] data = new byte[(int) length];
      b.get(data);
      assertEquals(maskedCrc(data, 0, data.length), b.getInt(), "data checksum");
      events.add(Event.parseFrom(data));
    }
    return events;
  }

  @Test
  void writesScalarAndImageEventsTensorBoardCanParse() throws Exception {
    Path file;
    BufferedImage picture = new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB);
    picture.setRGB(3, 2, 0xff8000);
    try (TensorBoardWriter w = TensorBoardWriter.create(dir)) {
      file = w.file();
      w.scalar("train/loss", 10, 0.75);
      w.scalar("val/iou/sky", 10, Double.NaN);
      w.scalar("val/miou", 20, 0.5);
      w.image("val/samples", 20, picture);
    }
    assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
    List<Event> events = read(file);
    assertEquals(4, events.size(), "version record, 2 finite scalars, 1 image");
    assertEquals("brain.Event:2", events.get(0).getFileVersion());
    assertEquals(10, events.get(1).getStep());
    assertEquals("train/loss", events.get(1).getSummary().getValue(0).getTag());
    assertEquals(0.75f, events.get(1).getSummary().getValue(0).getSimpleValue());
    assertEquals("val/miou", events.get(2).getSummary().getValue(0).getTag());
    var image = events.get(3).getSummary().getValue(0).getImage();
    assertEquals(8, image.getWidth());
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image.getEncodedImageString().toByteArray()));
    assertEquals(0xff8000, decoded.getRGB(3, 2) & 0xffffff);
  }
}

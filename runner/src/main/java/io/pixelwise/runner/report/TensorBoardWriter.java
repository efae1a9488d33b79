package io.pixelwise.runner.report;

import com.google.protobuf.ByteString;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import javax.imageio.ImageIO;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * TensorBoard event file in the run folder ({@code tensorboard --logdir RUN_DIR}): scalars and
 * images as {@code Event} protos (shipped with TensorFlow Java) in TFRecord framing. Written from
 * Java rather than with TensorFlow's summary ops, which would need a second graph and session
 * just to append a few records per epoch.
 */
public final class TensorBoardWriter implements AutoCloseable {
  private final Path file;
  private final OutputStream out;

  private TensorBoardWriter(Path file) throws IOException {
    this.file = file;
    this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Starts a new event file in {@code dir}, named as TensorBoard expects. */
  public static TensorBoardWriter create(Path dir) throws IOException {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    long now = System.currentTimeMillis();
    Path file = dir.resolve("events.out.tfevents." + now / 1000 + "." + host + ".pixelwise");
    TensorBoardWriter writer = new TensorBoardWriter(file);
    writer.write(Event.newBuilder().setWallTime(now / 1000.0).setFileVersion("brain.Event:2").build());
    return writer;
  }

  public Path file() {
    return file;
  }

  public void scalar(String tag, long step, double value) throws IOException {
    if (!Double.isFinite(value)) {
      return; // TensorBoard would draw NaN as a gap anyway; an absent class has no IoU
    }
    write(event(step, Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value).build()));
  }

  public void image(String tag, long step, BufferedImage image) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    Summary.Image encoded =
        Summary.Image.newBuilder()
            .setHeight(image.getHeight())
            .setWidth(image.getWidth())
            .setColorspace(3)
            .setEncodedImageString(ByteString.copyFrom(png.toByteArray()))
            .build();
    write(event(step, Summary.Value.newBuilder().setTag(tag).setImage(encoded).build()));
  }

  private static Event event(long step, Summary.Value value) {
    return Event.newBuilder()
        .setWallTime(System.currentTimeMillis() / 1000.0)
        .setStep(step)
        .setSummary(Summary.newBuilder().addValue(value))
        .build();
  }

  /** TFRecord framing: length, masked CRC32C of the length, data, masked CRC32C of the data. */
  private void write(Event event) throws IOException {
    byte[] data = event.toByteArray();
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(data.length);
    header.putInt(maskedCrc(header.array(), 0, 8));
    ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    footer.putInt(maskedCrc(data, 0, data.length));
    out.write(header.array());
    out.write(data);
    out.write(footer.array());
    out.flush();
  }

  static int maskedCrc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}

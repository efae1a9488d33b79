package io.pixelwise.engine.output;

import java.text.DecimalFormat;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a pass over images: a live bar (images, img/s, ETA) on a terminal, and a log line
 * every few seconds otherwise (CI, output redirected to a file), where a bar would be noise.
 */
public abstract class Progress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

  /** Advances by {@code images} and shows {@code message} (e.g. the running loss). */
  public abstract void step(int images, String message);

  @Override
  public abstract void close();

  public static Progress start(String task, long totalImages) {
    return System.console() != null ? new Bar(task, totalImages) : new Lines(task, totalImages);
  }

  private static final class Bar extends Progress {
    private final ProgressBar bar;

    Bar(String task, long total) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(total)
              .setUnit(" img", 1)
              .showSpeed(new DecimalFormat("0.0"))
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(250)
              .build();
    }

    @Override
    public void step(int images, String message) {
      bar.stepBy(images);
      bar.setExtraMessage(message);
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  private static final class Lines extends Progress {
    private static final long INTERVAL_NANOS = 10_000_000_000L;
    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private long lastLog = start;
    private long done;

    Lines(String task, long total) {
      this.task = task;
      this.total = total;
    }

    @Override
    public void step(int images, String message) {
      done += images;
      long now = System.nanoTime();
      if (now - lastLog >= INTERVAL_NANOS || done >= total) {
        lastLog = now;
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        LOG.info(
            "{} {}/{} img, {} img/s, ETA {} {}",
            task, done, total, String.format("%.1f", rate), formatDuration(Duration.ofSeconds(eta)), message);
      }
    }

    @Override
    public void close() {}
  }

  static String formatDuration(Duration d) {
    long s = d.getSeconds();
    return s >= 3600
        ? String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }
}

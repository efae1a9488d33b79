package io.pixelwise.runner.output;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's output folder: the resolved config, the log, metrics.json and checkpoints/.
 * Created fresh; an existing non-empty folder is refused so nothing is overwritten.
 */
public final class RunFolder implements AutoCloseable {
  private final Path dir;
  private FileAppender<ILoggingEvent> appender;

  private RunFolder(Path dir) {
    this.dir = dir;
  }

  /** {@code explicit} if given, else {@code <base>/<name>-<timestamp>}. */
  public static RunFolder create(Path explicit, Path base, String name) throws IOException {
    Path dir =
        explicit != null
            ? explicit
            : base.resolve(name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    if (Files.isDirectory(dir)) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(
              "run folder " + dir + " exists and is not empty; choose another --out");
        }
      }
    }
    Files.createDirectories(dir);
    RunFolder folder = new RunFolder(dir);
    folder.startLog();
    return folder;
  }

  /** An existing run folder, to go on with (its log is appended to). */
  public static RunFolder open(Path dir) {
    if (!Files.isRegularFile(dir.resolve("config.conf"))) {
      throw new IllegalArgumentException(
          dir + " is not a run folder: it has no config.conf (expected the folder a train command created)");
    }
    RunFolder folder = new RunFolder(dir);
    folder.startLog();
    return folder;
  }

  public Path dir() {
    return dir;
  }

  public Path checkpoints() {
    return dir.resolve("checkpoints");
  }

  public Path metricsJson() {
    return dir.resolve("metrics.json");
  }

  public Path configFile() {
    return dir.resolve("config.conf");
  }

  public Path logFile() {
    return dir.resolve("train.log");
  }

  private void startLog() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
    encoder.start();
    appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("run-folder");
    appender.setFile(logFile().toString());
    appender.setEncoder(encoder);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
  }

  /**
   * The failure that ends a run, with its stack trace, into train.log only: the console shows its
   * message once (the command's error line), the log keeps what a bug report needs.
   */
  public void recordFailure(Throwable e) {
    FAILURES.debug("the run failed", e);
  }

  /** Its level is DEBUG (logback.xml); the console shows INFO and up, the run's log everything. */
  private static final org.slf4j.Logger FAILURES = LoggerFactory.getLogger("io.pixelwise.failures");

  @Override
  public void close() {
    if (appender != null && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
      appender.stop();
    }
  }
}

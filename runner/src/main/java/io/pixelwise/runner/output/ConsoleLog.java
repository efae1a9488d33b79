package io.pixelwise.runner.output;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's verbosity (logback.xml's {@code console} appender): INFO and up without stack
 * traces by default; {@link #showDebug} for {@code -v}.
 */
public final class ConsoleLog {
  private ConsoleLog() {}

  /**
   * Debug messages and stack traces on the console until the returned action undoes it (commands
   * run in-process, as tests run them, must not leave the JVM verbose).
   */
  public static Runnable showDebug() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return () -> { };
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    if (!(root.getAppender("console") instanceof OutputStreamAppender<ILoggingEvent> console)
        || !(console.getEncoder() instanceof PatternLayoutEncoder encoder)) {
      root.setLevel(Level.DEBUG);
      return () -> root.setLevel(level);
    }
    List<Filter<ILoggingEvent>> filters = console.getCopyOfAttachedFiltersList();
    PatternLayoutEncoder traces = new PatternLayoutEncoder();
    traces.setContext(context);
    traces.setPattern(encoder.getPattern().replace("%nopex", ""));
    traces.start();
    console.clearAllFilters();
    console.setEncoder(traces);
    root.setLevel(Level.DEBUG);
    return () -> {
      root.setLevel(level);
      console.setEncoder((Encoder<ILoggingEvent>) encoder);
      filters.forEach(console::addFilter);
    };
  }
}

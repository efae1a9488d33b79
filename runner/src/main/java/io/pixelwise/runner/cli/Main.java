package io.pixelwise.runner.cli;

import io.pixelwise.runner.output.ConsoleLog;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar pixelwise.jar <command>}: the entry point. */
@Command(
    name = "pixelwise",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Semantic segmentation of street scenes: train, evaluate and run fully convolutional networks.",
    subcommands = {
      TrainCommand.class,
      WorkerCommand.class,
      EvaluateCommand.class,
      PredictCommand.class,
      PluginsCommand.class,
      ConfigCommand.class,
      DatasetsCommand.class,
      BenchmarkCommand.class,
      ExportCommand.class,
      InspectCommand.class,
      WeightsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private boolean verbose;
  private Runnable quiet = () -> { };

  /** Accepted before or after the command's name; set before the command runs. */
  @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
      description = "Show debug messages, and the stack trace of a failure, on the console.")
  void verbose(boolean on) {
    if (on && !verbose) {
      quiet = ConsoleLog.showDebug();
    }
    verbose = on;
  }

  public static void main(String[] args) {
    Relaunch.allow(args);
    allowNativeMemoryBeyondTheHeap();
    System.exit(run(args));
  }

  /** JavaCPP's limit on the process's physical memory, which it reads once, when it loads. */
  static final String JAVACPP_MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

  /**
   * Switches off JavaCPP's check of the whole process's physical memory against a limit it derives
   * from the Java heap (-Xmx) unless the user set one: TensorFlow's tensors are native memory
   * JavaCPP does not manage, so with -Xmx512m VGG16-FCN8 failed with "physicalBytes (3494M) >
   * maxPhysicalBytes (2048M)" and runs with the check off. Must run before any JavaCPP class loads.
   */
  static void allowNativeMemoryBeyondTheHeap() {
    if (System.getProperty(JAVACPP_MAX_PHYSICAL_BYTES) == null) {
      System.setProperty(JAVACPP_MAX_PHYSICAL_BYTES, "0");
    }
  }

  /** Runs a command in this process and returns its exit status (0 ok, 1 failed, 2 bad input). */
  public static int run(String... args) {
    Main main = new Main();
    CommandLine cli = new CommandLine(main);
    cli.setExecutionExceptionHandler((e, line, parsed) -> main.handle(e, line));
    try {
      return cli.execute(args);
    } finally {
      main.quiet.run();
    }
  }

  /**
   * User errors and damaged files get their message alone; a bug (anything else) its stack trace
   * too, as does every failure with {@code -v}.
   */
  private int handle(Exception e, CommandLine cli) {
    PrintWriter err = cli.getErr();
    boolean badInput = e instanceof IllegalArgumentException || e instanceof com.typesafe.config.ConfigException;
    err.println("error: " + message(e));
    err.flush();
    LOG.debug("failure", e);
    // With -v the debug line above already printed the trace.
    if (!verbose && !badInput && !(e instanceof java.io.IOException) && !(e instanceof java.io.UncheckedIOException)
        && !(e instanceof IllegalStateException)) {
      e.printStackTrace(err);
    }
    return badInput ? 2 : 1;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.toString() : m;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"pixelwise " + (v == null ? "(development build)" : v)};
    }
  }
}

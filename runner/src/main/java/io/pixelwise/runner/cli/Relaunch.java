package io.pixelwise.runner.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes {@code java -jar pixelwise.jar} get native settings that TensorFlow only reads from the
 * process environment ({@code TF_ENABLE_ONEDNN_OPTS}), which a running JVM cannot change: when the
 * environment disagrees with the config, the runner starts itself again as a child with the right
 * environment, passes its I/O through and exits with the child's status. The child ends itself if
 * the parent dies (even by SIGKILL), so no orphan keeps training.
 */
public final class Relaunch {
  private static final Logger LOG = LoggerFactory.getLogger(Relaunch.class);
  static final String MARKER = "PIXELWISE_RELAUNCHED";
  private static volatile boolean allowed;
  private static String[] mainArgs = new String[0];

  private Relaunch() {}

  /** Called by {@link Main#main} only: in-process callers (tests, embedding) never relaunch. */
  static void allow(String[] args) {
    allowed = true;
    mainArgs = args.clone();
    if (System.getenv(MARKER) != null) {
      ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(143)));
    }
  }

  /**
   * Ensures the process runs with the given environment values; returns normally if it already
   * does (or may not relaunch), otherwise never returns.
   */
  static void ensureEnvironment(Map<String, String> wanted) {
    Map<String, String> env = System.getenv();
    boolean matches = wanted.entrySet().stream().allMatch(e -> e.getValue().equals(env.get(e.getKey())));
    if (matches || !allowed || env.get(MARKER) != null) {
      if (!matches) {
        LOG.warn("running without the wanted environment {}; set it before starting the JVM", wanted);
      }
      return;
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(mainArgs));
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().putAll(wanted);
    pb.environment().put(MARKER, "1");
    try {
      Process child = pb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
      System.exit(child.waitFor());
    } catch (Exception e) {
      LOG.warn("could not relaunch with {} ({}); continuing without it", wanted, e.getMessage());
    }
  }
}

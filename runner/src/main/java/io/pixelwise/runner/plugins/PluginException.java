package io.pixelwise.runner.plugins;

import java.util.List;

/**
 * Installed plugins that cannot be used, each problem naming the plugin's jar or folder. Bad
 * input, like a bad config: the command stops before any work.
 */
public final class PluginException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public PluginException(List<String> problems) {
    super(problems.size() == 1
        ? problems.get(0)
        : problems.size() + " plugin problems:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}

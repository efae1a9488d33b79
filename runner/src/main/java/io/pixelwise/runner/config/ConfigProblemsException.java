package io.pixelwise.runner.config;

import java.util.List;

/**
 * Everything wrong with an experiment config, one problem per line, so that the user can fix all
 * of them in one go. An {@link IllegalArgumentException} because it is bad input, not a bug.
 */
public final class ConfigProblemsException extends IllegalArgumentException {
  private final List<String> problems;

  public ConfigProblemsException(List<String> problems) {
    this(problems, null);
  }

  public ConfigProblemsException(List<String> problems, Throwable cause) {
    super(message(problems), cause);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems to report");
    }
    this.problems = List.copyOf(problems);
  }

  static ConfigProblemsException of(String problem) {
    return new ConfigProblemsException(List.of(problem));
  }

  static ConfigProblemsException of(String problem, Throwable cause) {
    return new ConfigProblemsException(List.of(problem), cause);
  }

  /** Each problem, self-contained: it names the key and where it was set. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    return problems.size() + " problems in the config:\n  " + String.join("\n  ", problems);
  }
}

package io.pixelwise.runner.train;

/**
 * The best validation score so far ({@code train.best-by}, higher is better), its checkpoint, and
 * early stopping: {@code patience} evaluations in a row without a better score end the run
 * (0 never stops early).
 */
final class BestScore {
  private final int patience;
  private double score;
  private String checkpoint;
  private int evaluationsSinceBest;

  /** Starting from a resumed run's best, or from nothing ({@code -Infinity}, null). */
  BestScore(int patience, double score, String checkpoint) {
    this.patience = patience;
    this.score = score;
    this.checkpoint = checkpoint;
  }

  /** Records an evaluation; true when it is the new best (a NaN score never is). */
  boolean offer(double value, String checkpointName) {
    if (value > score) {
      score = value;
      checkpoint = checkpointName;
      evaluationsSinceBest = 0;
      return true;
    }
    evaluationsSinceBest++;
    return false;
  }

  double score() {
    return score;
  }

  String checkpoint() {
    return checkpoint;
  }

  int evaluationsSinceBest() {
    return evaluationsSinceBest;
  }

  /** Whether early stopping ends the run now. */
  boolean patienceExhausted() {
    return patience > 0 && evaluationsSinceBest >= patience;
  }
}

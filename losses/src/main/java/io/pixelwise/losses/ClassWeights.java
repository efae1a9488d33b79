package io.pixelwise.losses;

import io.pixelwise.api.data.ClassFrequencies;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.loss.LossContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-class weights: none, a list given in the options (one number per class, in train-id order),
 * or computed from the train split's class frequencies. Checked when the loss is created; the
 * frequencies are asked for only when the graph is built, and only when the options say so.
 */
final class ClassWeights {
  private static final Logger LOG = LoggerFactory.getLogger(ClassWeights.class);

  static final String NONE = "none";
  static final String INVERSE = "inverse-frequency";
  static final String MEDIAN = "median-frequency";
  static final Set<String> BALANCES = new LinkedHashSet<>(List.of(NONE, INVERSE, MEDIAN));

  private final String loss;
  private final float[] given;
  private final String balance;

  private ClassWeights(String loss, float[] given, String balance) {
    this.loss = loss;
    this.given = given;
    this.balance = balance;
  }

  static ClassWeights none(String loss) {
    return new ClassWeights(loss, null, NONE);
  }

  /**
   * @param listKey the option holding explicit weights ({@code []} for none)
   * @param balanceKey the option choosing computed weights, or null where the loss has none
   */
  static ClassWeights read(LossOptions o, String listKey, String balanceKey, LossContext context) {
    ClassInfo classes = context.classes();
    List<Double> list = o.numbers(listKey, 0);
    String balance = balanceKey == null ? NONE : o.choice(balanceKey, BALANCES);
    if (!list.isEmpty() && !balance.equals(NONE)) {
      throw new IllegalArgumentException(
          o.key(listKey) + " and " + o.key(balanceKey) + " = " + balance
              + " are both set: give weights, or have them computed, not both");
    }
    if (list.isEmpty()) {
      return new ClassWeights(o.loss(), null, balance);
    }
    if (list.size() != classes.size()) {
      throw o.problem(
          listKey,
          list.size() + " weight(s) for " + classes.size() + " classes (" + String.join(", ", classes.names())
              + "); give one per class, in that order"
              + (context.binary() ? " (a binary model has background and foreground)" : ""));
    }
    if (list.stream().allMatch(w -> w == 0)) {
      throw o.problem(listKey, "all weights are 0, so no pixel would count");
    }
    float[] w = new float[list.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = list.get(i).floatValue();
    }
    return new ClassWeights(o.loss(), w, NONE);
  }

  /** True when every class weighs the same (no weights asked for). */
  boolean uniform() {
    return given == null && balance.equals(NONE);
  }

  /** The weights, one per class; computes them from the train frequencies where asked. */
  float[] values(LossContext context) {
    if (given != null) {
      return given.clone();
    }
    int n = context.classes().size();
    if (balance.equals(NONE)) {
      float[] ones = new float[n];
      java.util.Arrays.fill(ones, 1f);
      return ones;
    }
    ClassFrequencies f = context.trainFrequencies().get();
    if (f.size() != n) {
      throw new IllegalStateException(
          "train class frequencies cover " + f.size() + " classes, the label set has " + n);
    }
    double[] computed = balance.equals(INVERSE) ? f.inverseFrequencyWeights() : f.medianFrequencyWeights();
    float[] w = new float[n];
    List<String> shown = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      w[c] = (float) computed[c];
      shown.add(String.format(Locale.ROOT, "%s %.3f", context.classes().name(c), computed[c]));
    }
    LOG.info("{}: {} class weights from {} train images: {}", loss, balance, f.images(), String.join(", ", shown));
    return w;
  }
}

package io.pixelwise.engine;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.loss.Loss;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * The training objective's data term: the weighted sum of the configured losses, each built in its
 * own scope ({@code loss/<name>}). One loss of weight 1 is that loss, unscaled.
 */
public final class WeightedLoss implements Loss {

  /** One configured loss. */
  public record Term(String name, double weight, Loss loss) {
    public Term {
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("loss '" + name + "': weight must be a number > 0, got " + weight);
      }
    }
  }

  private final List<Term> terms;
  private final Map<String, Operand<TFloat32>> built = new LinkedHashMap<>();

  public WeightedLoss(List<Term> terms) {
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("no loss chosen");
    }
    this.terms = List.copyOf(terms);
  }

  public List<Term> terms() {
    return terms;
  }

  /** Each term's unweighted value, by name, once {@link #build} has run. */
  public Map<String, Operand<TFloat32>> termValues() {
    return Collections.unmodifiableMap(built);
  }

  @Override
  public Operand<TFloat32> build(GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes) {
    Ops tf = ctx.tf();
    List<Operand<TFloat32>> weighted = new ArrayList<>();
    for (Term t : terms) {
      Operand<TFloat32> value = t.loss().build(ctx.scope(t.name()), logits, labels, classes);
      built.put(t.name(), value);
      weighted.add(t.weight() == 1.0 ? value : tf.math.mul(tf.constant((float) t.weight()), value));
    }
    return weighted.size() == 1 ? weighted.get(0) : tf.math.addN(weighted);
  }
}

package dev.trainerd.ml;

import dev.trainerd.errors.FieldViolation;
import java.util.List;

/**
 * The training objective, computed per example from the model's raw outputs (logits) and then
 * averaged over the minibatch. Formulas follow gluon.loss; all are written in numerically stable
 * forms (log-sum-exp, softplus via {@code log1p(exp(-|z|))}).
 *
 * <p>Label kinds: <em>regression</em> losses need {@link Examples.Labels.Regression} targets and a
 * single output; <em>binary</em> losses take a single output and either two-class labels or real
 * targets ({0,1} for sigmoid BCE, ±1 for hinge and logistic); <em>multi-class</em> losses take
 * class labels and one output per class (labels become one-hot target vectors in the graph).
 */
public sealed interface Loss {

  /** The snake_case name of this loss, as the API spells it. */
  String kind();

  /** What labels and output width the loss works with. */
  LabelKind labelKind();

  /** Violations of the loss parameters, paths relative to the loss. */
  default List<FieldViolation> validate() {
    return List.of();
  }

  /** How a loss consumes labels. */
  enum LabelKind {
    /** Real targets, one output. */
    REGRESSION,
    /** One output read as a logit/score; two-class labels or real targets. */
    BINARY,
    /** One output per class; class labels. */
    MULTI_CLASS
  }

  /** {@code (y_hat - y)^2 / 2}, as the book's squared loss. */
  record Squared() implements Loss {
    @Override
    public String kind() {
      return "squared";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.REGRESSION;
    }
  }

  /** {@code |y_hat - y|}. */
  record Absolute() implements Loss {
    @Override
    public String kind() {
      return "absolute";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.REGRESSION;
    }
  }

  /**
   * Huber / smooth-L1: {@code |d| - rho/2} where {@code |d| > rho}, else {@code d^2 / (2 rho)}.
   *
   * @param rho threshold, > 0 (gluon's default 1)
   */
  record Huber(double rho) implements Loss {
    @Override
    public String kind() {
      return "huber";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.REGRESSION;
    }

    @Override
    public List<FieldViolation> validate() {
      return rho > 0 && Double.isFinite(rho)
          ? List.of()
          : List.of(new FieldViolation("huber.rho", "must be > 0, was " + rho));
    }
  }

  /**
   * Softmax cross-entropy from logits, {@code -sum_k t_k log softmax(o)_k}, computed by the fused
   * op. {@code sparseLabels} is gluon's {@code sparse_label}: true reads class indices; false reads
   * a target distribution per example. Class-label data sets reach the graph as one-hot vectors
   * either way, so both settings train identically on them.
   */
  record SoftmaxCrossEntropy(boolean sparseLabels) implements Loss {
    @Override
    public String kind() {
      return "softmax_cross_entropy";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.MULTI_CLASS;
    }
  }

  /** Sigmoid binary cross-entropy from logits: {@code max(x,0) - x z + log(1 + e^-|x|)}. */
  record SigmoidBinaryCrossEntropy() implements Loss {
    @Override
    public String kind() {
      return "sigmoid_binary_cross_entropy";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.BINARY;
    }
  }

  /**
   * Kullback-Leibler divergence {@code sum_k t_k (log t_k - log p_k)} (summed over classes; gluon
   * averages instead, which only rescales it by 1/classes).
   *
   * @param fromLogits true: the outputs already are log-probabilities (gluon's default); false:
   *     log-softmax is applied to the outputs first
   */
  record KlDivergence(boolean fromLogits) implements Loss {
    @Override
    public String kind() {
      return "kl_divergence";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.MULTI_CLASS;
    }
  }

  /**
   * Hinge {@code max(0, margin - y_hat * y)} with labels in ±1.
   *
   * @param margin > 0 (gluon's default 1)
   */
  record Hinge(double margin) implements Loss {
    @Override
    public String kind() {
      return "hinge";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.BINARY;
    }

    @Override
    public List<FieldViolation> validate() {
      return margin > 0 && Double.isFinite(margin)
          ? List.of()
          : List.of(new FieldViolation("hinge.margin", "must be > 0, was " + margin));
    }
  }

  /**
   * Squared hinge {@code max(0, margin - y_hat * y)^2} with labels in ±1.
   *
   * @param margin > 0 (gluon's default 1)
   */
  record SquaredHinge(double margin) implements Loss {
    @Override
    public String kind() {
      return "squared_hinge";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.BINARY;
    }

    @Override
    public List<FieldViolation> validate() {
      return margin > 0 && Double.isFinite(margin)
          ? List.of()
          : List.of(new FieldViolation("squared_hinge.margin", "must be > 0, was " + margin));
    }
  }

  /**
   * Logistic loss {@code log(1 + exp(-y_hat * y))}.
   *
   * @param labelFormat how real-valued targets are read: SIGNED (±1) or BINARY ({0,1}, mapped to
   *     ±1); class labels are always class 0 -> -1, class 1 -> +1
   */
  record Logistic(LabelFormat labelFormat) implements Loss {
    @Override
    public String kind() {
      return "logistic";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.BINARY;
    }
  }

  /** Target encoding for {@link Logistic}. */
  enum LabelFormat {
    SIGNED,
    BINARY
  }

  /**
   * Poisson negative log-likelihood.
   *
   * @param fromLogits true (gluon's default): outputs are log-rates, loss {@code exp(o) - y o};
   *     false: outputs are rates, loss {@code o - y log(max(o, 0) + 1e-8)}
   *     (the model must then produce positive outputs)
   * @param computeFull add Stirling's approximation of {@code log(y!)} for targets > 1
   */
  record PoissonNll(boolean fromLogits, boolean computeFull) implements Loss {
    @Override
    public String kind() {
      return "poisson_nll";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.REGRESSION;
    }
  }

  /**
   * Cosine embedding loss between the output vector and a target vector: {@code 1 - cos} for
   * similar pairs (label 1), {@code max(0, cos - margin)} for dissimilar pairs (label -1). When
   * training a classifier the target vector is the one-hot class vector and every pair is similar.
   *
   * @param margin in [-1, 1] (gluon's default 0)
   */
  record CosineEmbedding(double margin) implements Loss {
    @Override
    public String kind() {
      return "cosine_embedding";
    }

    @Override
    public LabelKind labelKind() {
      return LabelKind.MULTI_CLASS;
    }

    @Override
    public List<FieldViolation> validate() {
      return margin >= -1 && margin <= 1
          ? List.of()
          : List.of(new FieldViolation("cosine_embedding.margin", "must be in [-1, 1], was " + margin));
    }
  }
}

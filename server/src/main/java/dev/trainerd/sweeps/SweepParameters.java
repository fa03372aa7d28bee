package dev.trainerd.sweeps;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.ml.Activation;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.WeightDecay;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalogue of sweepable parameters and how each sets a job-spec field:
 *
 * <ul>
 *   <li>{@code learning_rate} (alias {@code lr}): {@code spec.learning_rate}, {@code > 0}
 *   <li>{@code batch_size}: {@code spec.batch_size}, {@code >= 1}
 *   <li>{@code epochs}: {@code spec.epochs}, 1 to {@link TrainingSpec#MAX_EPOCHS}
 *   <li>{@code weight_decay} (alias {@code wd}): {@code spec.weight_decay}, {@code >= 0}
 *   <li>{@code optimizer}: {@code sgd | momentum | adam}, each with its default options
 *   <li>{@code model}: {@code linear | mlp}; linear is linear regression (softmax regression for
 *       multi-class losses) and ignores the hidden-layer parameters; mlp keeps the base spec's
 *       hidden layers, or one 256-unit ReLU layer when the base has none
 *   <li>{@code hidden_units} (alias {@code hidden}): units of every hidden layer;
 *       {@code hidden_units.N}: of layer N (from 1); 1 to 65536
 *   <li>{@code hidden_layers} (alias {@code layers}): 1 to {@value #MAX_LAYERS}; added layers
 *       copy the last one
 *   <li>{@code activation}: {@code relu | sigmoid | tanh | identity}, every hidden layer
 *   <li>{@code dropout}: every hidden layer's, {@code dropout.N}: layer N's; 0 to {@code < 1}
 *   <li>{@code log_target}: {@code true | false} ({@code spec.log_target})
 * </ul>
 *
 * Names are case-insensitive and {@code -} may stand for {@code _}. Values drawn from a range for
 * an integer parameter are rounded to the nearest whole number; real values are kept to six
 * significant digits, and the text recorded on the trial is exactly what was applied.
 */
public final class SweepParameters {
  /** Most hidden layers a sweep may ask for. */
  public static final int MAX_LAYERS = 16;

  private static final Pattern PER_LAYER = Pattern.compile("(hidden_units|dropout)\\.([0-9]{1,3})");
  private static final Map<String, String> ALIASES =
      Map.of("lr", "learning_rate", "wd", "weight_decay", "hidden", "hidden_units", "layers", "hidden_layers");
  /** Order in which parameters are applied: the model first, then its layers, then the rest. */
  private static final List<String> ORDER =
      List.of(
          "model", "hidden_layers", "hidden_units", "hidden_units.", "activation", "dropout", "dropout.",
          "learning_rate", "batch_size", "epochs", "weight_decay", "optimizer", "log_target");

  private SweepParameters() {}

  /** The canonical name of {@code name}, or empty when it is not a sweepable parameter. */
  public static Optional<String> canonical(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    n = ALIASES.getOrDefault(n, n);
    Matcher m = PER_LAYER.matcher(n);
    if (m.matches()) {
      int layer = Integer.parseInt(m.group(2));
      return layer >= 1 && layer <= MAX_LAYERS ? Optional.of(m.group(1) + "." + layer) : Optional.empty();
    }
    return ORDER.contains(n) && !n.endsWith(".") ? Optional.of(n) : Optional.empty();
  }

  /** What the catalogue offers, for error messages. */
  public static String catalogue() {
    return "learning_rate, batch_size, epochs, weight_decay, optimizer, model, hidden_units,"
        + " hidden_units.N, hidden_layers, activation, dropout, dropout.N, log_target";
  }

  /** Whether the parameter takes numbers (so a random range may drive it). */
  public static boolean isNumeric(String canonical) {
    return switch (family(canonical)) {
      case "optimizer", "model", "activation", "log_target" -> false;
      default -> true;
    };
  }

  /** Whether the parameter takes whole numbers. */
  public static boolean isInteger(String canonical) {
    return switch (family(canonical)) {
      case "batch_size", "epochs", "hidden_units", "hidden_layers" -> true;
      default -> false;
    };
  }

  /** Why {@code text} is not a value of the parameter, or empty when it is. */
  public static Optional<String> checkValue(String canonical, String text) {
    String v = text.strip().toLowerCase(Locale.ROOT);
    switch (family(canonical)) {
      case "optimizer" -> {
        return oneOf(v, List.of("sgd", "momentum", "adam"));
      }
      case "model" -> {
        return oneOf(v, List.of("linear", "mlp"));
      }
      case "activation" -> {
        return oneOf(v, List.of("relu", "sigmoid", "tanh", "identity"));
      }
      case "log_target" -> {
        return oneOf(v, List.of("true", "false"));
      }
      default -> {
        double x;
        try {
          x = Double.parseDouble(v);
        } catch (NumberFormatException e) {
          return Optional.of("must be a number, was '" + text + "'");
        }
        if (!Double.isFinite(x)) {
          return Optional.of("must be finite, was " + text);
        }
        if (isInteger(canonical) && x != Math.rint(x)) {
          return Optional.of("must be a whole number, was " + text);
        }
        return switch (family(canonical)) {
          case "learning_rate" -> x > 0 ? Optional.empty() : Optional.of("must be > 0, was " + text);
          case "weight_decay" -> x >= 0 ? Optional.empty() : Optional.of("must be >= 0, was " + text);
          case "batch_size" -> x >= 1 && x <= Integer.MAX_VALUE ? Optional.empty() : Optional.of("must be >= 1, was " + text);
          case "epochs" ->
              x >= 1 && x <= TrainingSpec.MAX_EPOCHS
                  ? Optional.empty()
                  : Optional.of("must be in [1, " + TrainingSpec.MAX_EPOCHS + "], was " + text);
          case "hidden_units" -> x >= 1 && x <= 65_536 ? Optional.empty() : Optional.of("must be in [1, 65536], was " + text);
          case "hidden_layers" ->
              x >= 1 && x <= MAX_LAYERS ? Optional.empty() : Optional.of("must be in [1, " + MAX_LAYERS + "], was " + text);
          case "dropout" -> x >= 0 && x < 1 ? Optional.empty() : Optional.of("must be in [0, 1), was " + text);
          default -> throw new IllegalArgumentException("not a sweep parameter: " + canonical);
        };
      }
    }
  }

  /** The text recorded for a number drawn for the parameter: whole, or six significant digits. */
  public static String format(String canonical, double value) {
    if (isInteger(canonical)) {
      return Long.toString(Math.round(value));
    }
    return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /**
   * The base spec with {@code values} applied (canonical names, checked values), or
   * INVALID_ARGUMENT-style violations on field {@code parameters} when they do not fit the base
   * spec (a per-layer parameter beyond the model's layers).
   */
  public static Applied apply(JobSpec base, List<ParameterValue> values) {
    List<ParameterValue> ordered = new ArrayList<>(values);
    ordered.sort(Comparator.comparingInt(v -> priority(v.name())));
    TrainingSpec.Builder t = base.training().toBuilder();
    TrainingSpec spec = base.training();
    ModelSpec model = spec.model();
    boolean forcedLinear = false;
    boolean multiClass = spec.loss().labelKind() == Loss.LabelKind.MULTI_CLASS;
    List<FieldViolation> violations = new ArrayList<>();
    for (ParameterValue pv : ordered) {
      String v = pv.value().strip().toLowerCase(Locale.ROOT);
      String family = family(pv.name());
      switch (family) {
        case "model" -> {
          if (v.equals("linear")) {
            forcedLinear = true;
            model = multiClass ? new ModelSpec.SoftmaxRegression() : new ModelSpec.LinearRegression();
          } else {
            model = asMlp(model);
          }
        }
        case "hidden_layers", "hidden_units", "activation", "dropout" -> {
          if (forcedLinear) {
            continue;
          }
          List<ModelSpec.HiddenLayer> layers = new ArrayList<>(asMlp(model).hiddenLayers());
          int layer = layerOf(pv.name());
          if (layer > layers.size()) {
            violations.add(
                new FieldViolation(
                    "parameters",
                    pv.name() + " names hidden layer " + layer + " but the model has " + layers.size()
                        + "; add hidden_layers to the sweep or to the base spec"));
            continue;
          }
          switch (family) {
            case "hidden_layers" -> {
              int n = (int) Double.parseDouble(v);
              while (layers.size() > n) {
                layers.remove(layers.size() - 1);
              }
              while (layers.size() < n) {
                layers.add(layers.get(layers.size() - 1));
              }
            }
            case "hidden_units" -> update(layers, layer, l -> new ModelSpec.HiddenLayer((int) Double.parseDouble(v), l.activation(), l.dropout()));
            case "activation" -> update(layers, layer, l -> new ModelSpec.HiddenLayer(l.units(), Activation.valueOf(v.toUpperCase(Locale.ROOT)), l.dropout()));
            default -> update(layers, layer, l -> new ModelSpec.HiddenLayer(l.units(), l.activation(), Double.parseDouble(v)));
          }
          model = new ModelSpec.Mlp(layers);
        }
        case "learning_rate" -> t.learningRate(Double.parseDouble(v));
        case "batch_size" -> t.batchSize((int) Double.parseDouble(v));
        case "epochs" -> t.epochs((int) Double.parseDouble(v));
        case "weight_decay" -> t.weightDecay(new WeightDecay(Double.parseDouble(v), spec.weightDecay().includeBiases()));
        case "optimizer" ->
            t.optimizer(
                switch (v) {
                  case "sgd" -> new Optimizer.Sgd();
                  case "momentum" -> new Optimizer.Momentum(0.9, false);
                  default -> Optimizer.Adam.defaults();
                });
        case "log_target" -> t.logTarget(Boolean.parseBoolean(v));
        default -> throw new IllegalArgumentException("not a sweep parameter: " + pv.name());
      }
    }
    t.model(model);
    JobSpec out =
        new JobSpec(
            base.datasetId(), base.split(), t.build(), base.fitAlsoOnDatasetId(), base.warmStartModelId(), base.onReplicaLoss());
    return new Applied(out, violations);
  }

  /**
   * A trial's spec and any violations found applying its values.
   *
   * @param spec the base spec with the values applied (meaningless when violations exist)
   * @param violations why the values do not fit the base spec
   */
  public record Applied(JobSpec spec, List<FieldViolation> violations) {}

  private static void update(
      List<ModelSpec.HiddenLayer> layers, int layer, java.util.function.UnaryOperator<ModelSpec.HiddenLayer> change) {
    for (int i = 0; i < layers.size(); i++) {
      if (layer == 0 || layer == i + 1) {
        layers.set(i, change.apply(layers.get(i)));
      }
    }
  }

  private static ModelSpec.Mlp asMlp(ModelSpec model) {
    return model instanceof ModelSpec.Mlp mlp ? mlp : new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256)));
  }

  /** The layer a per-layer name addresses (from 1), or 0 for every layer. */
  private static int layerOf(String canonical) {
    int dot = canonical.indexOf('.');
    return dot < 0 ? 0 : Integer.parseInt(canonical.substring(dot + 1));
  }

  private static String family(String canonical) {
    int dot = canonical.indexOf('.');
    return dot < 0 ? canonical : canonical.substring(0, dot);
  }

  private static int priority(String canonical) {
    int dot = canonical.indexOf('.');
    return ORDER.indexOf(dot < 0 ? canonical : canonical.substring(0, dot + 1));
  }

  private static Optional<String> oneOf(String v, List<String> allowed) {
    return allowed.contains(v)
        ? Optional.empty()
        : Optional.of("must be one of " + String.join(", ", allowed) + ", was '" + v + "'");
  }
}

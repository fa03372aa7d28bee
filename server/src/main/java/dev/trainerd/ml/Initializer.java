package dev.trainerd.ml;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How parameters get their first values (gluon.init's catalogue). Except for {@link Mixed} and
 * {@link Load}, an initialiser applies to weights only; biases start at zero. Random initialisers
 * draw from the job's seed, so the same spec gives the same initial values. Fans follow MXNet: for
 * a weight of shape {@code [inputs, outputs]}, fan-in is {@code inputs} and fan-out {@code outputs}.
 */
public sealed interface Initializer {

  /** The snake_case name of this initialiser, as the API spells it. */
  String kind();

  /** Violations of the parameters, paths relative to the initialiser. */
  default List<FieldViolation> validate() {
    return List.of();
  }

  /** All zeros. */
  record Zero() implements Initializer {
    @Override
    public String kind() {
      return "zero";
    }
  }

  /** All ones. */
  record One() implements Initializer {
    @Override
    public String kind() {
      return "one";
    }
  }

  /** Every value set to {@code value}. */
  record Constant(double value) implements Initializer {
    @Override
    public String kind() {
      return "constant";
    }

    @Override
    public List<FieldViolation> validate() {
      return Double.isFinite(value)
          ? List.of()
          : List.of(new FieldViolation("constant.value", "must be finite"));
    }
  }

  /** Normal with mean 0 and standard deviation {@code sigma} (the book's 0.01). */
  record Normal(double sigma) implements Initializer {
    @Override
    public String kind() {
      return "normal";
    }

    @Override
    public List<FieldViolation> validate() {
      return sigma > 0 && Double.isFinite(sigma)
          ? List.of()
          : List.of(new FieldViolation("normal.sigma", "must be > 0, was " + sigma));
    }
  }

  /** Uniform on {@code [-scale, scale]}; MXNet's default initialiser is uniform(0.07). */
  record Uniform(double scale) implements Initializer {
    /** MXNet's default scale. */
    public static final double DEFAULT_SCALE = 0.07;

    @Override
    public String kind() {
      return "uniform";
    }

    @Override
    public List<FieldViolation> validate() {
      return scale > 0 && Double.isFinite(scale)
          ? List.of()
          : List.of(new FieldViolation("uniform.scale", "must be > 0, was " + scale));
    }
  }

  /** Which fans a variance-scaling initialiser divides by. */
  enum FactorType {
    AVG,
    IN,
    OUT
  }

  /** The distribution a variance-scaling initialiser samples. */
  enum Distribution {
    UNIFORM,
    GAUSSIAN
  }

  /**
   * Xavier/Glorot: {@code scale = sqrt(magnitude / factor)} with factor the average fan, fan-in or
   * fan-out; uniform on {@code [-scale, scale]} or normal with standard deviation {@code scale}.
   *
   * @param distribution UNIFORM (MXNet's default) or GAUSSIAN
   * @param factorType AVG (default), IN or OUT
   * @param magnitude > 0, MXNet's default 3
   */
  record Xavier(Distribution distribution, FactorType factorType, double magnitude)
      implements Initializer {
    public Xavier {
      Objects.requireNonNull(distribution, "distribution");
      Objects.requireNonNull(factorType, "factorType");
    }

    @Override
    public String kind() {
      return "xavier";
    }

    @Override
    public List<FieldViolation> validate() {
      return magnitude > 0 && Double.isFinite(magnitude)
          ? List.of()
          : List.of(new FieldViolation("xavier.magnitude", "must be > 0, was " + magnitude));
    }
  }

  /**
   * MSRA/He (MXNet's MSRAPrelu): Gaussian Xavier with magnitude {@code 2 / (1 + slope^2)}.
   *
   * @param factorType AVG (MXNet's default), IN or OUT
   * @param slope negative slope of the (leaky/parametric) ReLU that follows; 0 for ReLU
   */
  record Msra(FactorType factorType, double slope) implements Initializer {
    public Msra {
      Objects.requireNonNull(factorType, "factorType");
    }

    @Override
    public String kind() {
      return "msra";
    }

    @Override
    public List<FieldViolation> validate() {
      return Double.isFinite(slope)
          ? List.of()
          : List.of(new FieldViolation("msra.slope", "must be finite"));
    }

    /** The Xavier initialiser this one is equivalent to. */
    public Xavier asXavier() {
      return new Xavier(Distribution.GAUSSIAN, factorType, 2.0 / (1 + slope * slope));
    }
  }

  /**
   * A (semi-)orthogonal matrix times {@code scale}: the columns (or rows, whichever are fewer)
   * are orthonormal before scaling.
   *
   * @param scale MXNet's default 1.414
   */
  record Orthogonal(double scale) implements Initializer {
    @Override
    public String kind() {
      return "orthogonal";
    }

    @Override
    public List<FieldViolation> validate() {
      return scale > 0 && Double.isFinite(scale)
          ? List.of()
          : List.of(new FieldViolation("orthogonal.scale", "must be > 0, was " + scale));
    }
  }

  /**
   * Per-parameter initialisers chosen by name: the first rule whose pattern matches the whole
   * parameter name (e.g. {@code .*bias}) wins; this applies to biases too. A parameter no rule
   * matches is a validation error at training time.
   */
  record Mixed(List<Rule> rules) implements Initializer {
    public Mixed {
      rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
    }

    @Override
    public String kind() {
      return "mixed";
    }

    @Override
    public List<FieldViolation> validate() {
      List<FieldViolation> out = new ArrayList<>();
      if (rules.isEmpty()) {
        out.add(new FieldViolation("mixed.rules", "must list at least one rule"));
      }
      for (int i = 0; i < rules.size(); i++) {
        Rule rule = rules.get(i);
        String path = "mixed.rules[" + i + "]";
        try {
          Pattern.compile(rule.pattern());
        } catch (PatternSyntaxException e) {
          out.add(new FieldViolation(path + ".pattern", "is not a valid regular expression: " + e.getDescription()));
        }
        if (rule.initializer() instanceof Mixed) {
          out.add(new FieldViolation(path + ".initializer", "must not itself be mixed"));
        } else {
          rule.initializer().validate().forEach(v -> out.add(v.under(path + ".initializer")));
        }
      }
      return out;
    }

    /** The initialiser for {@code parameterName}, or null when no rule matches. */
    public Initializer select(String parameterName) {
      for (Rule rule : rules) {
        if (Pattern.compile(rule.pattern()).matcher(parameterName).matches()) {
          return rule.initializer();
        }
      }
      return null;
    }
  }

  /** One rule of {@link Mixed}: a regular expression over parameter names and its initialiser. */
  record Rule(String pattern, Initializer initializer) {
    public Rule {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(initializer, "initializer");
    }
  }

  /**
   * Warm start: every parameter (weights and biases) takes the value of the parameter with the
   * same name in {@code parameters}, typically an earlier model's. Names and shapes must match.
   */
  record Load(List<Parameter> parameters) implements Initializer {
    public Load {
      parameters = List.copyOf(Objects.requireNonNull(parameters, "parameters"));
    }

    @Override
    public String kind() {
      return "load";
    }

    @Override
    public List<FieldViolation> validate() {
      return parameters.isEmpty()
          ? List.of(new FieldViolation("load.model", "must not be empty"))
          : List.of();
    }

    /** The parameter called {@code name}, or null. */
    public Parameter find(String name) {
      for (Parameter p : parameters) {
        if (p.name().equals(name)) {
          return p;
        }
      }
      return null;
    }
  }
}

package dev.trainerd.ml;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The architecture to train. Every model ends in a dense output layer whose width the trainer
 * derives from the loss and the labels ({@link TrainingSpec#outputCount}); parameters are named
 * {@code dense<i>/weight} (shape {@code [inputs, outputs]}) and {@code dense<i>/bias}.
 */
public sealed interface ModelSpec {

  /** The snake_case name of this model kind, as the API spells it. */
  String kind();

  /** Violations of this spec's own constraints, with field paths relative to the model. */
  List<FieldViolation> validate();

  /** Whether the first layer has a bias; the polynomial model's x^0 feature plays that role. */
  default boolean firstLayerHasBias() {
    return true;
  }

  /** One dense layer {@code y = xW + b} with a single output: the chapter's linear regression. */
  record LinearRegression() implements ModelSpec {
    @Override
    public String kind() {
      return "linear_regression";
    }

    @Override
    public List<FieldViolation> validate() {
      return List.of();
    }
  }

  /** One dense layer with one output per class, trained through a softmax-based loss. */
  record SoftmaxRegression() implements ModelSpec {
    @Override
    public String kind() {
      return "softmax_regression";
    }

    @Override
    public List<FieldViolation> validate() {
      return List.of();
    }
  }

  /**
   * A multilayer perceptron: hidden layers in order, then the dense output layer.
   *
   * @param hiddenLayers at least one hidden layer
   */
  record Mlp(List<HiddenLayer> hiddenLayers) implements ModelSpec {
    public Mlp {
      hiddenLayers = List.copyOf(Objects.requireNonNull(hiddenLayers, "hiddenLayers"));
    }

    @Override
    public String kind() {
      return "mlp";
    }

    @Override
    public List<FieldViolation> validate() {
      List<FieldViolation> out = new ArrayList<>();
      if (hiddenLayers.isEmpty()) {
        out.add(new FieldViolation("mlp.hidden_layers", "must list at least one hidden layer"));
      }
      for (int i = 0; i < hiddenLayers.size(); i++) {
        HiddenLayer layer = hiddenLayers.get(i);
        String path = "mlp.hidden_layers[" + i + "]";
        if (layer.units() < 1 || layer.units() > 65_536) {
          out.add(new FieldViolation(path + ".units", "must be in [1, 65536], was " + layer.units()));
        }
        if (!(layer.dropout() >= 0 && layer.dropout() < 1)) {
          out.add(new FieldViolation(path + ".dropout", "must be in [0, 1), was " + layer.dropout()));
        }
      }
      return out;
    }
  }

  /**
   * One hidden layer of an {@link Mlp}.
   *
   * @param units width of the layer
   * @param activation non-linearity after the affine transform
   * @param dropout probability of zeroing each unit while training (inverted dropout: survivors
   *     are scaled by {@code 1/(1-p)}); 0 disables dropout
   */
  record HiddenLayer(int units, Activation activation, double dropout) {
    public HiddenLayer {
      Objects.requireNonNull(activation, "activation");
    }

    /** A ReLU layer without dropout. */
    public static HiddenLayer relu(int units) {
      return new HiddenLayer(units, Activation.RELU, 0);
    }
  }

  /**
   * Polynomial regression on a scalar input x: the features become {@code x^0 .. x^degree}
   * (divided by {@code i!} when {@code factorialScaling}, as the book does), followed by a
   * single dense output without bias ({@code x^0} is the bias).
   *
   * @param degree highest power, 0..30; the model has {@code degree + 1} weights
   * @param factorialScaling divide {@code x^i} by {@code i!} to keep large powers in range
   */
  record Polynomial(int degree, boolean factorialScaling) implements ModelSpec {
    /** Largest supported degree: 30! still fits a float's range after scaling. */
    public static final int MAX_DEGREE = 30;

    @Override
    public String kind() {
      return "polynomial";
    }

    @Override
    public List<FieldViolation> validate() {
      if (degree < 0 || degree > MAX_DEGREE) {
        return List.of(
            new FieldViolation(
                "polynomial.degree", "must be in [0, " + MAX_DEGREE + "], was " + degree));
      }
      return List.of();
    }

    @Override
    public boolean firstLayerHasBias() {
      return false;
    }
  }
}

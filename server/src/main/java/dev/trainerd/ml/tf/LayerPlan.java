package dev.trainerd.ml.tf;

import dev.trainerd.ml.Activation;
import dev.trainerd.ml.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The dense layers a {@link ModelSpec} becomes, with the polynomial expansion (if any) in front.
 *
 * @param polynomial the polynomial model's spec, or null
 * @param layers dense layers in order; the last one is the output layer
 */
record LayerPlan(ModelSpec.Polynomial polynomial, List<Dense> layers) {

  /**
   * One dense layer {@code act(x W + b)}, then dropout while training.
   *
   * @param index position, used in the parameter names {@code dense<index>/...}
   */
  record Dense(int index, int inputs, int outputs, boolean bias, Activation activation, double dropout) {
    String weightName() {
      return "dense" + index + "/weight";
    }

    String biasName() {
      return "dense" + index + "/bias";
    }
  }

  static LayerPlan of(ModelSpec model, int featureCount, int outputCount) {
    List<Dense> layers = new ArrayList<>();
    if (model instanceof ModelSpec.Polynomial p) {
      layers.add(new Dense(0, p.degree() + 1, outputCount, false, Activation.IDENTITY, 0));
      return new LayerPlan(p, layers);
    }
    int inputs = featureCount;
    if (model instanceof ModelSpec.Mlp mlp) {
      for (ModelSpec.HiddenLayer h : mlp.hiddenLayers()) {
        layers.add(new Dense(layers.size(), inputs, h.units(), true, h.activation(), h.dropout()));
        inputs = h.units();
      }
    }
    layers.add(new Dense(layers.size(), inputs, outputCount, true, Activation.IDENTITY, 0));
    return new LayerPlan(null, layers);
  }

  /** Parameter names in order: {@code dense0/weight}, {@code dense0/bias}, ... */
  List<String> parameterNames() {
    List<String> out = new ArrayList<>();
    for (Dense d : layers) {
      out.add(d.weightName());
      if (d.bias()) {
        out.add(d.biasName());
      }
    }
    return out;
  }

  /** Shapes matching {@link #parameterNames()}. */
  List<long[]> parameterShapes() {
    List<long[]> out = new ArrayList<>();
    for (Dense d : layers) {
      out.add(new long[] {d.inputs(), d.outputs()});
      if (d.bias()) {
        out.add(new long[] {d.outputs()});
      }
    }
    return out;
  }
}

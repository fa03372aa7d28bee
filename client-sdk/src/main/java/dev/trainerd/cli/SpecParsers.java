package dev.trainerd.cli;

import dev.trainerd.v1.AbsoluteLoss;
import dev.trainerd.v1.ConstantInit;
import dev.trainerd.v1.CosineEmbeddingLoss;
import dev.trainerd.v1.HingeLoss;
import dev.trainerd.v1.HuberLoss;
import dev.trainerd.v1.Initializer;
import dev.trainerd.v1.KlDivergenceLoss;
import dev.trainerd.v1.LoadInit;
import dev.trainerd.v1.LogisticLoss;
import dev.trainerd.v1.Loss;
import dev.trainerd.v1.MsraInit;
import dev.trainerd.v1.NormalInit;
import dev.trainerd.v1.OneInit;
import dev.trainerd.v1.OrthogonalInit;
import dev.trainerd.v1.PoissonNllLoss;
import dev.trainerd.v1.SigmoidBinaryCrossEntropyLoss;
import dev.trainerd.v1.SoftmaxCrossEntropyLoss;
import dev.trainerd.v1.SquaredHingeLoss;
import dev.trainerd.v1.SquaredLoss;
import dev.trainerd.v1.UniformInit;
import dev.trainerd.v1.XavierInit;
import dev.trainerd.v1.ZeroInit;

/**
 * Parses {@code --loss} and {@code --init} values of the form {@code KIND} or
 * {@code KIND:NUMBER}, e.g. {@code huber:1.5}, {@code normal:0.01}.
 */
final class SpecParsers {
  /** The {@code --loss} kinds, for help texts. */
  static final String LOSSES =
      "squared, absolute, huber[:RHO], softmax-cross-entropy, sigmoid-binary-cross-entropy, kl-divergence, "
          + "hinge[:MARGIN], squared-hinge[:MARGIN], logistic, poisson-nll, cosine-embedding[:MARGIN]";

  /** The {@code --init} kinds, for help texts. */
  static final String INITIALIZERS =
      "zero, one, constant:V, normal[:SIGMA], uniform[:SCALE], xavier, msra, orthogonal[:SCALE], load:MODEL";

  private SpecParsers() {}

  static Loss loss(String text) {
    String kind = kind(text);
    double p = parameter(text, 0);
    Loss.Builder loss = Loss.newBuilder();
    switch (kind) {
      case "squared" -> loss.setSquared(SquaredLoss.getDefaultInstance());
      case "absolute" -> loss.setAbsolute(AbsoluteLoss.getDefaultInstance());
      case "huber" -> loss.setHuber(HuberLoss.newBuilder().setRho(p));
      case "softmax-cross-entropy" -> loss.setSoftmaxCrossEntropy(SoftmaxCrossEntropyLoss.getDefaultInstance());
      case "sigmoid-binary-cross-entropy" -> loss.setSigmoidBinaryCrossEntropy(SigmoidBinaryCrossEntropyLoss.getDefaultInstance());
      case "kl-divergence" -> loss.setKlDivergence(KlDivergenceLoss.getDefaultInstance());
      case "hinge" -> loss.setHinge(HingeLoss.newBuilder().setMargin(p));
      case "squared-hinge" -> loss.setSquaredHinge(SquaredHingeLoss.newBuilder().setMargin(p));
      case "logistic" -> loss.setLogistic(LogisticLoss.getDefaultInstance());
      case "poisson-nll" -> loss.setPoissonNll(PoissonNllLoss.getDefaultInstance());
      case "cosine-embedding" -> loss.setCosineEmbedding(CosineEmbeddingLoss.newBuilder().setMargin(p));
      default -> throw new IllegalArgumentException("--loss must be one of " + LOSSES + "; was '" + text + "'");
    }
    return loss.build();
  }

  static Initializer initializer(String text) {
    String kind = kind(text);
    Initializer.Builder init = Initializer.newBuilder();
    switch (kind) {
      case "zero" -> init.setZero(ZeroInit.getDefaultInstance());
      case "one" -> init.setOne(OneInit.getDefaultInstance());
      case "constant" -> init.setConstant(ConstantInit.newBuilder().setValue(parameter(text, Double.NaN)));
      case "normal" -> init.setNormal(NormalInit.newBuilder().setSigma(parameter(text, 0)));
      case "uniform" -> init.setUniform(UniformInit.newBuilder().setScale(parameter(text, 0)));
      case "xavier" -> init.setXavier(XavierInit.getDefaultInstance());
      case "msra" -> init.setMsra(MsraInit.getDefaultInstance());
      case "orthogonal" -> init.setOrthogonal(OrthogonalInit.newBuilder().setScale(parameter(text, 0)));
      case "load" -> {
        String model = text.indexOf(':') < 0 ? "" : text.substring(text.indexOf(':') + 1);
        if (model.isEmpty()) {
          throw new IllegalArgumentException("--init load needs a model: load:models/ID");
        }
        init.setLoad(LoadInit.newBuilder().setModel(model.contains("/") ? model : "models/" + model));
      }
      default -> throw new IllegalArgumentException("--init must be one of " + INITIALIZERS + "; was '" + text + "'");
    }
    return init.build();
  }

  private static String kind(String text) {
    int colon = text.indexOf(':');
    return colon < 0 ? text : text.substring(0, colon);
  }

  /** The number after the colon; {@code absent} when there is none (NaN: required). */
  private static double parameter(String text, double absent) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      if (Double.isNaN(absent)) {
        throw new IllegalArgumentException("'" + text + "' needs a value: " + text + ":NUMBER");
      }
      return absent;
    }
    try {
      return Double.parseDouble(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': the value after ':' must be a number");
    }
  }
}

package dev.trainerd.cli;

import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.EvaluationMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The chapter's training plot: loss per epoch (train and evaluation) above a second panel with
 * accuracy for classification, or log RMSE (else RMSE) for regression, sharing the epoch axis.
 */
final class TrainingCurves {
  private TrainingCurves() {}

  /**
   * Draws the epochs of the final model (fold 0) into a PNG.
   *
   * @throws IllegalArgumentException when there are no epochs to draw
   */
  static void writePng(String title, List<EpochMetrics> epochs, Path png, int width, int height) throws IOException {
    List<EpochMetrics> finalModel = epochs.stream().filter(e -> e.getFold() == 0).toList();
    if (finalModel.isEmpty()) {
      throw new IllegalArgumentException("the job has no finished epochs to plot");
    }
    NumberAxis epochAxis = new NumberAxis("epoch");
    epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
    plot.setGap(12);
    plot.add(panel("loss", finalModel, EvaluationMetrics::getLoss, m -> true), 1);

    EvaluationMetrics first = finalModel.get(0).getTrain();
    if (first.hasAccuracy()) {
      plot.add(panel("accuracy", finalModel, EvaluationMetrics::getAccuracy, EvaluationMetrics::hasAccuracy), 1);
    } else if (first.hasLogRmse() || (finalModel.get(0).hasEvaluation() && finalModel.get(0).getEvaluation().hasLogRmse())) {
      plot.add(panel("log RMSE", finalModel, EvaluationMetrics::getLogRmse, EvaluationMetrics::hasLogRmse), 1);
    } else if (first.hasRmse()) {
      plot.add(panel("RMSE", finalModel, EvaluationMetrics::getRmse, EvaluationMetrics::hasRmse), 1);
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
  }

  /**
   * Compares several runs (a sweep's trials): training loss of the final model above the
   * evaluation curve of {@code metric}, one line per run. K-fold runs, whose final model has no
   * evaluation data, show their first fold's validation curve.
   *
   * @param runs label to the run's epochs, in legend order
   * @param metric the evaluation metric to compare (its label and accessor)
   * @throws IllegalArgumentException when no run has an epoch to draw
   */
  static void writeComparisonPng(
      String title, Map<String, List<EpochMetrics>> runs, String metricLabel,
      Function<EvaluationMetrics, Double> metric, Function<EvaluationMetrics, Boolean> present,
      Path png, int width, int height) throws IOException {
    XYSeriesCollection loss = new XYSeriesCollection();
    XYSeriesCollection evaluation = new XYSeriesCollection();
    int points = 0;
    for (Map.Entry<String, List<EpochMetrics>> run : runs.entrySet()) {
      XYSeries trainLoss = new XYSeries(run.getKey());
      XYSeries eval = new XYSeries(run.getKey());
      boolean finalHasEvaluation = run.getValue().stream().anyMatch(e -> e.getFold() == 0 && e.hasEvaluation());
      int evalFold = finalHasEvaluation ? 0 : 1;
      for (EpochMetrics e : run.getValue()) {
        if (e.getFold() == 0) {
          trainLoss.add(e.getEpoch(), e.getTrain().getLoss());
          points++;
        }
        if (e.getFold() == evalFold && e.hasEvaluation() && present.apply(e.getEvaluation())) {
          eval.add(e.getEpoch(), metric.apply(e.getEvaluation()));
          points++;
        }
      }
      loss.addSeries(trainLoss);
      evaluation.addSeries(eval);
    }
    if (points == 0) {
      throw new IllegalArgumentException("no trial has finished epochs to plot");
    }
    NumberAxis epochAxis = new NumberAxis("epoch");
    epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
    plot.setGap(12);
    plot.add(comparisonPanel("train loss", loss), 1);
    plot.add(comparisonPanel("evaluation " + metricLabel, evaluation), 1);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
  }

  private static XYPlot comparisonPanel(String label, XYSeriesCollection data) {
    NumberAxis axis = new NumberAxis(label);
    axis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    // Both panels draw series i in the same default colour, so one legend serves both.
    renderer.setSeriesVisibleInLegend(0, true);
    XYPlot plot = new XYPlot(data, null, axis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }

  private static XYPlot panel(
      String label,
      List<EpochMetrics> epochs,
      Function<EvaluationMetrics, Double> value,
      Function<EvaluationMetrics, Boolean> present) {
    XYSeries train = new XYSeries("train " + label);
    XYSeries evaluation = new XYSeries("test " + label);
    for (EpochMetrics e : epochs) {
      if (present.apply(e.getTrain())) {
        train.add(e.getEpoch(), value.apply(e.getTrain()));
      }
      if (e.hasEvaluation() && present.apply(e.getEvaluation())) {
        evaluation.add(e.getEpoch(), value.apply(e.getEvaluation()));
      }
    }
    XYSeriesCollection data = new XYSeriesCollection(train);
    if (evaluation.getItemCount() > 0) {
      data.addSeries(evaluation);
    }
    NumberAxis axis = new NumberAxis(label);
    axis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, epochs.size() <= 30);
    renderer.setSeriesPaint(0, new Color(0x1f77b4));
    renderer.setSeriesPaint(1, new Color(0xff7f0e));
    renderer.setSeriesStroke(0, new BasicStroke(2f));
    renderer.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    XYPlot plot = new XYPlot(data, null, axis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }
}

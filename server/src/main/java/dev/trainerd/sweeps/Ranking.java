package dev.trainerd.sweeps;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Orders a finished sweep's trials by its objective. */
public final class Ranking {
  private Ranking() {}

  /**
   * Succeeded trials with an objective value, best first (ties: the lower trial number), ranked
   * 1, 2, ...; then every other trial in trial order with rank 0.
   */
  public static List<TrialRecord> rank(List<TrialRecord> trials, Objective objective) {
    List<TrialRecord> scored = new ArrayList<>();
    List<TrialRecord> rest = new ArrayList<>();
    for (TrialRecord t : trials) {
      if (t.state() == TrialState.SUCCEEDED && !Double.isNaN(t.objectiveOrNaN())) {
        scored.add(t);
      } else {
        rest.add(t.withRank(0));
      }
    }
    scored.sort(
        (a, b) -> {
          int byObjective = objective.compare(a.objectiveOrNaN(), b.objectiveOrNaN());
          return byObjective != 0 ? byObjective : Integer.compare(a.number(), b.number());
        });
    rest.sort(Comparator.comparingInt(TrialRecord::number));
    List<TrialRecord> out = new ArrayList<>();
    for (int i = 0; i < scored.size(); i++) {
      out.add(scored.get(i).withRank(i + 1));
    }
    out.addAll(rest);
    return out;
  }
}

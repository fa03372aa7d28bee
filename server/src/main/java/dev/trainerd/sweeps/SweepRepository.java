package dev.trainerd.sweeps;

import java.util.List;

/** Where sweep records live; every save replaces the record durably before returning. */
public interface SweepRepository {
  /** Stores (or replaces) a sweep's record. */
  void save(SweepRecord sweep);

  /** Every stored sweep. */
  List<SweepRecord> loadAll();
}

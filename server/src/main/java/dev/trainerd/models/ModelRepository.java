package dev.trainerd.models;

import java.util.List;
import java.util.Optional;

/** Durable storage of models; {@link #save} returns once the model is on stable storage. */
public interface ModelRepository {
  /** Stores a model (atomically: it is either wholly there or not at all). */
  void save(ModelRecord model);

  /** A stored model. */
  Optional<ModelRecord> find(String id);

  /** Every stored model, without guaranteed order. */
  List<ModelRecord> loadAll();

  /** Removes a model; false if it did not exist. */
  boolean delete(String id);
}

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

  /** Ids of every stored model. */
  default List<String> ids() {
    return loadAll().stream().map(ModelRecord::id).toList();
  }

  /** Whether a model with this id is stored (cheaper than {@link #find} where that matters). */
  default boolean exists(String id) {
    return find(id).isPresent();
  }

  /**
   * Whether other processes write this storage too (a cluster's replicas), so an in-memory index
   * of it goes stale and must be checked against it.
   */
  default boolean shared() {
    return false;
  }
}

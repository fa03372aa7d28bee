package dev.trainerd.store.cluster;

import dev.trainerd.models.ModelCodec;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.models.ModelRepository;
import dev.trainerd.store.Ids;
import java.nio.file.NoSuchFileException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Models of a cluster: the model (parameters, preprocessing, provenance: the artifact) in the
 * object store under {@code models/<id>.model}, and a row in PostgreSQL ({@code models}) that makes
 * it visible. The object is written before the row, so a listed model can always be read; a
 * replica dying between the two leaves an unlisted object behind.
 */
public final class ClusterModelRepository implements ModelRepository {
  private final Database db;
  private final ObjectStore objects;
  private final ModelCodec codec;

  public ClusterModelRepository(Database db, ObjectStore objects, ModelCodec codec) {
    this.db = db;
    this.objects = objects;
    this.codec = codec;
  }

  @Override
  public void save(ModelRecord model) {
    byte[] bytes = codec.encode(model);
    objects.put(key(model.id()), bytes);
    db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO models (id, job_id, create_time, bytes) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT (id) DO NOTHING")) {
            s.setString(1, model.id());
            s.setString(2, model.jobId());
            s.setObject(3, OffsetDateTime.ofInstant(model.createTime(), ZoneOffset.UTC));
            s.setLong(4, bytes.length);
            return s.executeUpdate();
          }
        });
  }

  @Override
  public Optional<ModelRecord> find(String id) {
    if (!Ids.isValid(id) || !exists(id)) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decode(objects.get(key(id))));
    } catch (NoSuchFileException e) {
      return Optional.empty(); // deleted between the two reads
    }
  }

  @Override
  public List<ModelRecord> loadAll() {
    List<ModelRecord> out = new ArrayList<>();
    for (String id : ids()) {
      find(id).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public List<String> ids() {
    return db.transaction(
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement s = c.prepareStatement("SELECT id FROM models");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(r.getString(1));
            }
          }
          return out;
        });
  }

  @Override
  public boolean exists(String id) {
    return db.transaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM models WHERE id = ?)")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
              r.next();
              return r.getBoolean(1);
            }
          }
        });
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public boolean delete(String id) {
    boolean existed =
        db.transaction(
            c -> {
              try (PreparedStatement s = c.prepareStatement("DELETE FROM models WHERE id = ?")) {
                s.setString(1, id);
                return s.executeUpdate() == 1;
              }
            });
    if (existed) {
      objects.delete(key(id));
    }
    return existed;
  }

  private static String key(String id) {
    return "models/" + Ids.requireValid(id) + ".model";
  }
}

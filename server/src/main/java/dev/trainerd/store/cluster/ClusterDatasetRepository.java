package dev.trainerd.store.cluster;

import dev.trainerd.data.DatasetFile;
import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.NamedFile;
import dev.trainerd.store.AtomicFiles;
import dev.trainerd.store.DatasetRepository;
import dev.trainerd.store.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data sets of a cluster: records in PostgreSQL ({@code datasets}), file contents in the object
 * store under {@code blobs/<sha256>}, stored once however many data sets share them.
 *
 * <p>A commit stores the blobs first and inserts the record last, in one transaction holding an
 * advisory lock per content hash; a delete removes the record and, under the same locks, the
 * blobs no other record names. So a commit and a delete sharing a blob on two replicas never
 * leave a record whose blob is gone. A replica dying between a blob upload and the record insert
 * leaves an unnamed blob behind (harmless; the next upload of the same bytes reuses it).
 *
 * <p>Reading a data set copies its blobs into a private temporary folder that {@link
 * Contents#close} removes: parsers read local files, and the decoded-data cache keeps what a
 * replica reuses.
 */
public final class ClusterDatasetRepository implements DatasetRepository {
  private static final Logger log = LoggerFactory.getLogger(ClusterDatasetRepository.class);
  private static final String BLOBS = "blobs/";

  private final Database db;
  private final ObjectStore objects;
  private final Path scratch;
  private final JsonCodec json = new JsonCodec();

  /**
   * @param scratch a local folder for copies of blobs being read; emptied now
   */
  public ClusterDatasetRepository(Database db, ObjectStore objects, Path scratch) throws IOException {
    this.db = db;
    this.objects = objects;
    this.scratch = scratch;
    AtomicFiles.deleteRecursively(scratch);
    Files.createDirectories(scratch);
  }

  @Override
  public Optional<DatasetMetadata> find(String id) {
    return db.transaction(c -> findIn(c, id, false));
  }

  private Optional<DatasetMetadata> findIn(Connection c, String id, boolean lock) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT record FROM datasets WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(json.read(r.getString(1), DatasetMetadata.class)) : Optional.empty();
      }
    }
  }

  @Override
  public List<DatasetMetadata> all() {
    return db.transaction(
        c -> {
          List<DatasetMetadata> out = new ArrayList<>();
          try (PreparedStatement s = c.prepareStatement("SELECT record FROM datasets");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(json.read(r.getString(1), DatasetMetadata.class));
            }
          }
          return out;
        });
  }

  @Override
  public long totalBytes() {
    return db.transaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT coalesce(sum(bytes), 0) FROM datasets");
              ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
          }
        });
  }

  @Override
  public DatasetMetadata commit(DatasetMetadata metadata, List<Staged> staged) {
    return db.transaction(
        c -> {
          lockBlobs(c, staged.stream().map(Staged::sha256).toList());
          Optional<DatasetMetadata> existing = findIn(c, metadata.id(), false);
          if (existing.isPresent()) {
            return existing.get();
          }
          for (Staged s : staged) {
            String key = BLOBS + s.sha256();
            if (!objects.exists(key)) {
              objects.put(key, s.path());
            }
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO datasets (id, create_time, bytes, blobs, record) VALUES (?, ?, ?, ?, ?)"
                      + " ON CONFLICT (id) DO NOTHING")) {
            s.setString(1, metadata.id());
            s.setObject(2, OffsetDateTime.ofInstant(metadata.createTime(), ZoneOffset.UTC));
            s.setLong(3, metadata.bytes());
            s.setArray(4, c.createArrayOf("text", metadata.files().stream().map(DatasetFile::sha256).toArray()));
            s.setString(5, json.write(metadata));
            if (s.executeUpdate() == 0) {
              return findIn(c, metadata.id(), false).orElse(metadata);
            }
          }
          return metadata;
        });
  }

  @Override
  public boolean delete(String id) {
    return db.transaction(
        c -> {
          Optional<DatasetMetadata> m = findIn(c, id, true);
          if (m.isEmpty()) {
            return false;
          }
          try (PreparedStatement s = c.prepareStatement("DELETE FROM datasets WHERE id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
          }
          List<String> hashes = m.get().files().stream().map(DatasetFile::sha256).toList();
          lockBlobs(c, hashes);
          for (String sha : new TreeSet<>(hashes)) {
            try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM datasets WHERE ? = ANY(blobs))")) {
              s.setString(1, sha);
              try (ResultSet r = s.executeQuery()) {
                r.next();
                if (!r.getBoolean(1)) {
                  objects.delete(BLOBS + sha);
                }
              }
            }
          }
          return true;
        });
  }

  /** Serialises commits and deletes touching the same contents, in a fixed order (no deadlock). */
  private static void lockBlobs(Connection c, List<String> hashes) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      for (String sha : new TreeSet<>(hashes)) {
        s.setString(1, sha);
        s.execute();
      }
    }
  }

  @Override
  public Contents open(DatasetMetadata metadata) throws IOException {
    Path folder = Files.createTempDirectory(scratch, "read-");
    try {
      List<NamedFile> files = new ArrayList<>();
      int n = 0;
      for (DatasetFile f : metadata.files()) {
        Path local = folder.resolve(Integer.toString(n++));
        objects.download(BLOBS + f.sha256(), local);
        files.add(new NamedFile(f.name(), local));
      }
      return new Contents() {
        @Override
        public List<NamedFile> files() {
          return files;
        }

        @Override
        public void close() {
          remove(folder);
        }
      };
    } catch (IOException | RuntimeException e) {
      remove(folder);
      throw e;
    }
  }

  private static void remove(Path folder) {
    try {
      AtomicFiles.deleteRecursively(folder);
    } catch (IOException e) {
      log.warn("could not remove {}: {}", folder, e.getMessage());
    }
  }
}

package dev.trainerd.store;

import com.google.gson.JsonParseException;
import dev.trainerd.data.DatasetFile;
import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.NamedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data sets on the local disk, content-addressed by SHA-256.
 *
 * <p>Layout under the root folder:
 *
 * <pre>
 *   blobs/&lt;sha[0..2]&gt;/&lt;sha256&gt;   each distinct file content, stored once
 *   records/&lt;id&gt;.json           one metadata record per dataset (JSON of {@link DatasetMetadata})
 * </pre>
 *
 * <p>A dataset becomes visible when its record is renamed into {@code records/}, after its blobs
 * were forced to disk and renamed into {@code blobs/}; so a crash leaves either nothing visible
 * or a complete dataset. Blobs no record names (a crash between the two renames) are removed when
 * the repository opens. Records are kept in memory too; commits and deletes are serialised.
 */
public final class LocalDatasetRepository implements DatasetRepository {
  private static final Logger log = LoggerFactory.getLogger(LocalDatasetRepository.class);
  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path blobs;
  private final Path records;
  private final JsonCodec json = new JsonCodec();
  private final Object lock = new Object();
  private final Map<String, DatasetMetadata> byId = new HashMap<>();

  private LocalDatasetRepository(Path root) {
    this.blobs = root.resolve("blobs");
    this.records = root.resolve("records");
  }

  /**
   * Opens (creating if needed) the repository in {@code root}: reads every record and removes
   * blobs that no record names.
   */
  public static LocalDatasetRepository open(Path root) throws IOException {
    LocalDatasetRepository repository = new LocalDatasetRepository(root);
    repository.recover();
    return repository;
  }

  private void recover() throws IOException {
    Files.createDirectories(blobs);
    Files.createDirectories(records);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(records)) {
      for (Path entry : entries) {
        String file = entry.getFileName().toString();
        if (file.startsWith(".")) {
          Files.deleteIfExists(entry); // a record write that never got renamed
          continue;
        }
        try {
          DatasetMetadata m =
              json.read(Files.readString(entry, StandardCharsets.UTF_8), DatasetMetadata.class);
          if (!DatasetIds.isValid(m.id()) || !file.equals(m.id() + ".json")
              || m.files().stream().anyMatch(f -> !SHA256.matcher(f.sha256()).matches())) {
            throw new JsonParseException("id, file name or hashes are malformed");
          }
          byId.put(m.id(), m);
        } catch (JsonParseException | NullPointerException | DateTimeParseException e) {
          log.warn("Ignoring unreadable dataset record {}: {}", entry, e.getMessage());
        }
      }
    }
    Set<String> referenced = referencedBlobs();
    try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(blobs)) {
      for (Path prefix : prefixes) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(prefix)) {
          for (Path blob : entries) {
            if (!referenced.contains(blob.getFileName().toString())) {
              log.info("Removing unreferenced blob {}", blob);
              Files.deleteIfExists(blob);
            }
          }
        }
      }
    }
  }

  @Override
  public Optional<DatasetMetadata> find(String id) {
    synchronized (lock) {
      return Optional.ofNullable(byId.get(id));
    }
  }

  @Override
  public List<DatasetMetadata> all() {
    synchronized (lock) {
      return new ArrayList<>(byId.values());
    }
  }

  @Override
  public long totalBytes() {
    synchronized (lock) {
      return byId.values().stream().mapToLong(DatasetMetadata::bytes).sum();
    }
  }

  @Override
  public DatasetMetadata commit(DatasetMetadata metadata, List<Staged> staged) throws IOException {
    synchronized (lock) {
      DatasetMetadata existing = byId.get(metadata.id());
      if (existing != null) {
        return existing;
      }
      try {
        for (Staged s : staged) {
          Path blob = blobPath(s.sha256());
          if (!Files.exists(blob)) {
            AtomicFiles.move(s.path(), blob);
          }
        }
        AtomicFiles.writeString(recordPath(metadata.id()), json.write(metadata));
      } catch (IOException e) {
        removeUnreferencedBlobs(metadata);
        throw e;
      }
      byId.put(metadata.id(), metadata);
      return metadata;
    }
  }

  @Override
  public boolean delete(String id) throws IOException {
    synchronized (lock) {
      DatasetMetadata m = byId.get(id);
      if (m == null) {
        return false;
      }
      AtomicFiles.delete(recordPath(id));
      byId.remove(id);
      removeUnreferencedBlobs(m);
      return true;
    }
  }

  @Override
  public Contents open(DatasetMetadata metadata) {
    List<NamedFile> files =
        metadata.files().stream().map(f -> new NamedFile(f.name(), blobPath(f.sha256()))).toList();
    return new Contents() {
      @Override
      public List<NamedFile> files() {
        return files;
      }

      @Override
      public void close() {}
    };
  }

  /** Deletes the blobs of {@code m} that no stored dataset names; caller holds the lock. */
  private void removeUnreferencedBlobs(DatasetMetadata m) {
    Set<String> stillUsed = referencedBlobs();
    for (DatasetFile f : m.files()) {
      if (!stillUsed.contains(f.sha256())) {
        try {
          AtomicFiles.delete(blobPath(f.sha256()));
        } catch (IOException e) {
          log.warn("Could not remove blob {}; the next open removes it: {}", f.sha256(), e.getMessage());
        }
      }
    }
  }

  private Set<String> referencedBlobs() {
    Set<String> referenced = new HashSet<>();
    synchronized (lock) {
      byId.values().forEach(m -> m.files().forEach(f -> referenced.add(f.sha256())));
    }
    return referenced;
  }

  private Path blobPath(String sha256) {
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a sha256: " + sha256);
    }
    return blobs.resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  private Path recordPath(String id) {
    return records.resolve(DatasetIds.requireValid(id, "name") + ".json");
  }
}

package dev.trainerd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  private long entries() throws IOException {
    try (Stream<Path> list = Files.list(dir.resolve("sub"))) {
      return list.count();
    }
  }

  @Test
  void writeCreatesAndReplacesWithoutLeavingTemporaryFiles() throws IOException {
    Path target = dir.resolve("sub/record.json");
    AtomicFiles.writeString(target, "one");
    AtomicFiles.writeString(target, "two");
    assertThat(target).hasContent("two");
    assertThat(entries()).isEqualTo(1);
  }

  @Test
  void aFailingWriterLeavesTheOldContentAndNoTemporaryFile() throws IOException {
    Path target = dir.resolve("sub/record.json");
    AtomicFiles.writeString(target, "old");
    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write("half".getBytes());
                      throw new IOException("disk full");
                    }))
        .hasMessage("disk full");
    assertThat(target).hasContent("old");
    assertThat(entries()).isEqualTo(1);
  }

  @Test
  void moveAndDeleteAreDurableAndDeleteRecursivelyClearsTrees() throws IOException {
    Path source = Files.writeString(dir.resolve("staged"), "bytes");
    Path target = dir.resolve("sub/blob");
    AtomicFiles.move(source, target);
    assertThat(source).doesNotExist();
    assertThat(target).hasContent("bytes");
    AtomicFiles.delete(target);
    assertThat(target).doesNotExist();
    Files.createDirectories(dir.resolve("tree/a/b"));
    Files.writeString(dir.resolve("tree/a/b/c"), "x");
    AtomicFiles.deleteRecursively(dir.resolve("tree"));
    assertThat(dir.resolve("tree")).doesNotExist();
    AtomicFiles.deleteRecursively(dir.resolve("absent"));
  }
}

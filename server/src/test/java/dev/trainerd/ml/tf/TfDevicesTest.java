package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the backend tells its GPU build: by the native library only that build ships. */
class TfDevicesTest {

  @Test
  void theGpuBuildIsKnownByItsNativeLibrary(@TempDir Path dir) throws Exception {
    try (URLClassLoader none = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      assertThat(TfDevices.gpuBuild(none)).isFalse();
    }
    Path library = dir.resolve(TfDevices.GPU_NATIVE_LIBRARY);
    Files.createDirectories(library.getParent());
    Files.write(library, new byte[] {0});
    try (URLClassLoader gpu = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      assertThat(TfDevices.gpuBuild(gpu)).isTrue();
    }
  }
}

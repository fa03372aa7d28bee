package dev.trainerd.client;

/**
 * Told how far an upload got, after each chunk the transport accepted. Called on the uploading
 * thread; keep it quick.
 */
@FunctionalInterface
public interface UploadProgressListener {
  /**
   * Progress so far.
   *
   * @param fileName the file the last chunk belonged to
   * @param bytesSent bytes of all files handed to the transport so far
   * @param totalBytes bytes of all files together, or -1 when a stream's size is unknown
   */
  void onProgress(String fileName, long bytesSent, long totalBytes);
}

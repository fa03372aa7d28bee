package dev.trainerd.client;

/**
 * Resource names: methods accept either a full name ({@code datasets/abc}) or a bare id
 * ({@code abc}) and send the full name.
 */
final class ResourceNames {
  private ResourceNames() {}

  static String dataset(String nameOrId) {
    return qualify("datasets/", nameOrId);
  }

  static String trainingJob(String nameOrId) {
    return qualify("trainingJobs/", nameOrId);
  }

  static String model(String nameOrId) {
    return qualify("models/", nameOrId);
  }

  static String sweep(String nameOrId) {
    return qualify("sweeps/", nameOrId);
  }

  private static String qualify(String prefix, String nameOrId) {
    if (nameOrId == null || nameOrId.isEmpty() || nameOrId.contains("/")) {
      // Empty and foreign names go to the server as they are so that it names the bad field.
      return nameOrId == null ? "" : nameOrId;
    }
    return prefix + nameOrId;
  }
}

package dev.trainerd.server;

/** Versions recorded with every model and reported by {@code --version}. */
public final class BuildInfo {
  private BuildInfo() {}

  /** trainerd's version from the jar manifest; "dev" when run from classes. */
  public static String trainerdVersion() {
    String v = BuildInfo.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}

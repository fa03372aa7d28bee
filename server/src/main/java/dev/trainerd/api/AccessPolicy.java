package dev.trainerd.api;

import java.util.Set;

/**
 * Which role each method needs. Reading (get, list, watch, predict, evaluate, export) needs a
 * reader; anything that creates, changes or deletes needs an admin. Health checks never need a
 * token, so probes and load balancers keep working.
 */
public final class AccessPolicy {
  /** Roles, ordered: an admin may do whatever a reader may. */
  public enum Role {
    READER,
    ADMIN
  }

  private static final Set<String> OPEN_SERVICES = Set.of("grpc.health.v1.Health");
  private static final Set<String> REFLECTION =
      Set.of("grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
  private static final Set<String> READ_PREFIXES = Set.of("Get", "List", "Watch", "Predict", "BatchPredict", "Evaluate", "Export");

  private final boolean reflectionOpen;

  /** @param reflectionOpen serve reflection without a token (it only describes the API) */
  public AccessPolicy(boolean reflectionOpen) {
    this.reflectionOpen = reflectionOpen;
  }

  /** The role a call to {@code service/method} needs, or null when it needs no token. */
  public Role required(String service, String method) {
    if (OPEN_SERVICES.contains(service) || (reflectionOpen && REFLECTION.contains(service))) {
      return null;
    }
    if (REFLECTION.contains(service)) {
      return Role.READER;
    }
    for (String prefix : READ_PREFIXES) {
      if (method.startsWith(prefix)) {
        return Role.READER;
      }
    }
    return Role.ADMIN;
  }
}

package dev.trainerd.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** Serves the Prometheus exposition on its own port, apart from gRPC traffic. */
public final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;

  /**
   * Binds {@code host:port} (0 picks a free port) and serves {@code path}.
   */
  public MetricsEndpoint(PrometheusMeterRegistry registry, String host, int port, String path) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext(
        path,
        exchange -> {
          try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
              exchange.sendResponseHeaders(405, -1);
              return;
            }
            if (!exchange.getRequestURI().getPath().equals(path)) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, exchange.getRequestMethod().equals("HEAD") ? -1 : body.length);
            if (!exchange.getRequestMethod().equals("HEAD")) {
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            }
          }
        });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "trainerd-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

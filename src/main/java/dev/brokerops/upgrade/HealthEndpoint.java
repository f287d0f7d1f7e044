package dev.brokerops.upgrade;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The operator's probes for its Deployment: {@code /healthz} (the process serves) and {@code
 * /readyz} (the operator has started and every informer is healthy).
 */
final class HealthEndpoint implements AutoCloseable {

  /** Port of the probes; unset means no endpoint (as for {@code make run}). */
  static final String PORT_ENV = "HEALTH_PORT";

  private final HttpServer server;

  private HealthEndpoint(HttpServer server) {
    this.server = server;
  }

  static HealthEndpoint start(Operator operator, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 10);
    server.createContext("/healthz", exchange -> respond(exchange, () -> true));
    server.createContext(
        "/readyz",
        exchange ->
            respond(
                exchange,
                () ->
                    operator.getRuntimeInfo().isStarted()
                        && operator.getRuntimeInfo().allEventSourcesAreHealthy()));
    server.start();
    return new HealthEndpoint(server);
  }

  private static void respond(HttpExchange exchange, BooleanSupplier check) throws IOException {
    boolean ok = check.getAsBoolean();
    byte[] body = (ok ? "ok\n" : "not ready\n").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

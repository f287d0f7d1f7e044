package dev.brokerops.upgrade;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.health.EventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's probes for its Deployment: {@code /healthz} (no reconciliation hung, informers not
 * lost for long; see {@link Liveness}) and {@code /readyz} (the operator has started and every
 * informer is healthy; a standby replica is ready too, and the body says it stands by).
 */
final class HealthEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthEndpoint.class);

  private final HttpServer server;

  private HealthEndpoint(HttpServer server) {
    this.server = server;
  }

  static HealthEndpoint start(
      Operator operator, Liveness liveness, Leadership leadership, InetSocketAddress address)
      throws IOException {
    HttpServer server = HttpServer.create(address, 10);
    server.createContext(
        "/healthz",
        exchange -> {
          Optional<String> problem = liveness.problem();
          // The kubelet's event only says 503; the reason for the restart has to be in the log.
          problem.ifPresent(reason -> LOG.warn("liveness probe fails: {}", reason));
          respond(exchange, problem, "ok");
        });
    server.createContext(
        "/readyz", exchange -> respond(exchange, readiness(operator), leadership.role()));
    server.start();
    return new HealthEndpoint(server);
  }

  private static Optional<String> readiness(Operator operator) {
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.isStarted()) {
      return Optional.of("not ready: operator not started");
    }
    return info.allEventSourcesAreHealthy()
        ? Optional.empty()
        : Optional.of("not ready: event sources unhealthy");
  }

  /**
   * Names of the event sources JOSDK reports unhealthy, as {@code controller/source}, with the
   * namespaces whose informer is not running, synced or watching.
   */
  static List<String> unhealthyEventSources(Operator operator) {
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.isStarted()) {
      // Before start (or after stop) RuntimeInfo's answers are unreliable; /readyz covers that.
      return List.of();
    }
    List<String> names = new ArrayList<>();
    info.unhealthyEventSources()
        .forEach(
            (controller, sources) ->
                sources.forEach(
                    (source, indicator) ->
                        names.add(controller + "/" + source + informerDetail(indicator))));
    names.sort(null);
    return names;
  }

  private static String informerDetail(EventSourceHealthIndicator indicator) {
    if (!(indicator instanceof InformerWrappingEventSourceHealthIndicator<?> informers)) {
      return "";
    }
    List<String> details = new ArrayList<>();
    for (InformerHealthIndicator informer : informers.informerHealthIndicators().values()) {
      if (informer.getStatus() == Status.HEALTHY) {
        continue;
      }
      List<String> missing = new ArrayList<>();
      if (!informer.isRunning()) {
        missing.add("not running");
      }
      if (!informer.hasSynced()) {
        missing.add("not synced");
      }
      if (!informer.isWatching()) {
        missing.add("not watching");
      }
      String namespace = informer.getTargetNamespace();
      boolean everyNamespace =
          namespace == null || Constants.WATCH_ALL_NAMESPACES.equals(namespace);
      details.add(
          (everyNamespace ? "all namespaces" : namespace) + ": " + String.join(" ", missing));
    }
    return details.isEmpty() ? "" : " [" + String.join("; ", details) + "]";
  }

  private static void respond(HttpExchange exchange, Optional<String> problem, String healthy)
      throws IOException {
    // One line whatever the reason holds, so that a probe log or curl shows it whole.
    String line = problem.map(reason -> reason.replaceAll("\\s+", " ").strip()).orElse(healthy);
    byte[] body = (line + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(problem.isPresent() ? 503 : 200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The port serving the probes; the one asked for, or the one the system chose for port 0. */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

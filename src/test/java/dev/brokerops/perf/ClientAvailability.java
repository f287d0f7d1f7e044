package dev.brokerops.perf;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.e2e.BrokerFixture;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Availability as a client sees it: the reference broker (3 replicas, draining a few seconds after
 * SIGTERM as a production server does) behind a Service, and a client that, like kube-proxy, sends
 * each request to one of the endpoints its EndpointSlices list as ready, a new connection each
 * time, at a steady rate, before and during an upgrade by the operator.
 */
final class ClientAvailability {

  static final String SCENARIO = "client availability";
  private static final String PATH = "/diagnostic/counters";
  private static final int REQUESTS_PER_SECOND = 50;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Harness harness;

  ClientAvailability(Harness harness) {
    this.harness = harness;
  }

  /** One request: when it went, how long it took, whether it failed. */
  record Request(String phase, Instant at, Duration took, boolean failed, String error) {}

  void run(Duration before, int drainSeconds) {
    Bench bench = harness.bench;
    String namespace = bench.createNamespace("perf-clients");
    harness.ownNamespace(namespace);
    BrokerFixture broker =
        BrokerFixture.deploy(
            bench, namespace, "1.0.0", 3, BrokerFixture.Shutdown.draining(drainSeconds));
    bench
        .client()
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(BrokerFixture.DEPLOYMENT)
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "pactflow")
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withTargetPort(new IntOrString("http"))
                .endPort()
                .endSpec()
                .build())
        .create();
    List<Request> requests;
    try (ReadyEndpoints endpoints =
        new ReadyEndpoints(bench, namespace, BrokerFixture.DEPLOYMENT)) {
      await("3 ready endpoints in the broker's EndpointSlices")
          .atMost(Duration.ofMinutes(1))
          .until(() -> endpoints.ready().size() == 3);
      try (Client client = new Client(endpoints)) {
        long beforeCount = REQUESTS_PER_SECOND * before.toSeconds();
        await(beforeCount + " requests before the upgrade")
            .atMost(before.plusSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> client.sent() >= beforeCount);
        client.phase("during");
        harness.createUpgrade(namespace, "1.1.0");
        harness.ready.awaitReady(List.of(namespace), "1.1.0", Duration.ofMinutes(5));
        requests = client.stop();
      }
    }
    broker.stopWriters();
    report(requests, drainSeconds);
  }

  private void report(List<Request> requests, int drainSeconds) {
    ResultTable table = harness.table;
    for (String phase : List.of("before", "during")) {
      List<Request> inPhase = requests.stream().filter(r -> r.phase().equals(phase)).toList();
      long failed = inPhase.stream().filter(Request::failed).count();
      Samples latency =
          Samples.ofMillis(inPhase.stream().filter(r -> !r.failed()).map(Request::took).toList());
      String when = phase + " the upgrade";
      table.info(
          SCENARIO,
          "requests " + when,
          inPhase.size(),
          "requests",
          REQUESTS_PER_SECOND + "/s, 3 replicas, drain " + drainSeconds + " s");
      table.add(
          SCENARIO,
          "failed requests " + when,
          failed,
          "requests",
          ResultTable.Target.exactly(0, "requests"),
          inPhase.stream()
              .filter(Request::failed)
              .map(Request::error)
              .distinct()
              .limit(3)
              .reduce((a, b) -> a + "; " + b)
              .orElse(""));
      table.info(SCENARIO, "latency p99 " + when, latency.p99(), "ms");
    }
  }

  /** The addresses and ports a Service's EndpointSlices list as ready, kept by an informer. */
  static final class ReadyEndpoints implements AutoCloseable {

    private final SharedIndexInformer<EndpointSlice> informer;
    private final Map<String, List<String>> bySlice = new ConcurrentHashMap<>();

    ReadyEndpoints(Bench bench, String namespace, String service) {
      informer =
          bench
              .client()
              .discovery()
              .v1()
              .endpointSlices()
              .inNamespace(namespace)
              .withLabel("kubernetes.io/service-name", service)
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(EndpointSlice slice) {
                      bySlice.put(slice.getMetadata().getName(), ready(slice));
                    }

                    @Override
                    public void onUpdate(EndpointSlice old, EndpointSlice slice) {
                      bySlice.put(slice.getMetadata().getName(), ready(slice));
                    }

                    @Override
                    public void onDelete(EndpointSlice slice, boolean unknownFinalState) {
                      bySlice.remove(slice.getMetadata().getName());
                    }
                  },
                  0);
    }

    /** kube-proxy's rule: an endpoint gets traffic while {@code ready} is true (or unset). */
    private static List<String> ready(EndpointSlice slice) {
      Optional<Integer> port =
          Optional.ofNullable(slice.getPorts()).orElse(List.of()).stream()
              .map(EndpointPort::getPort)
              .filter(Objects::nonNull)
              .findFirst();
      if (port.isEmpty()) {
        return List.of();
      }
      List<String> ready = new ArrayList<>();
      for (Endpoint endpoint : Optional.ofNullable(slice.getEndpoints()).orElse(List.of())) {
        if (endpoint.getConditions() == null
            || !Boolean.FALSE.equals(endpoint.getConditions().getReady())) {
          endpoint.getAddresses().forEach(address -> ready.add(address + ":" + port.get()));
        }
      }
      return ready;
    }

    List<String> ready() {
      return bySlice.values().stream().flatMap(List::stream).sorted().toList();
    }

    @Override
    public void close() {
      informer.close();
    }
  }

  /** Sends {@link #REQUESTS_PER_SECOND} requests a second, round robin over ready endpoints. */
  static final class Client implements AutoCloseable {

    private final ReadyEndpoints endpoints;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService senders = Executors.newFixedThreadPool(8);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private volatile String phase = "before";

    Client(ReadyEndpoints endpoints) {
      this.endpoints = endpoints;
      // a request that hangs holds up none of the next ones
      ticks.scheduleAtFixedRate(
          () -> senders.execute(this::send),
          0,
          1_000_000 / REQUESTS_PER_SECOND,
          TimeUnit.MICROSECONDS);
    }

    long sent() {
      return requests.size();
    }

    void phase(String phase) {
      this.phase = phase;
    }

    private void send() {
      String inPhase = phase;
      Instant at = Instant.now();
      long start = System.nanoTime();
      List<String> ready = endpoints.ready();
      if (ready.isEmpty()) {
        requests.add(new Request(inPhase, at, Duration.ZERO, true, "no ready endpoint"));
        return;
      }
      String endpoint = ready.get(Math.floorMod(next.getAndIncrement(), ready.size()));
      String error = get(endpoint);
      requests.add(
          new Request(
              inPhase, at, Duration.ofNanos(System.nanoTime() - start), error != null, error));
    }

    /** One HTTP/1.1 GET on a new connection; null when it answered 200. */
    private static String get(String endpoint) {
      int colon = endpoint.lastIndexOf(':');
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress(
                endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1))),
            (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(
            ("GET " + PATH + " HTTP/1.1\r\nHost: pactflow\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        String status = response.lines().findFirst().orElse("");
        return status.startsWith("HTTP/1.1 200") ? null : endpoint + " answered '" + status + "'";
      } catch (IOException e) {
        return endpoint + ": " + e.getClass().getSimpleName() + " " + e.getMessage();
      }
    }

    /** Stops sending, waits for the requests in flight; returns every request. */
    List<Request> stop() {
      ticks.shutdownNow();
      senders.shutdown();
      try {
        senders.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return List.copyOf(requests);
    }

    @Override
    public void close() {
      ticks.shutdownNow();
      senders.shutdownNow();
    }
  }
}

package dev.brokerops.bench;

import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresServer;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import java.util.concurrent.CountDownLatch;

/**
 * {@code make cluster}: the whole bench for a person, in the foreground, with PostgreSQL and the
 * reference broker's images, until Ctrl-C stops everything.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    Bench.RunningBench bench = Bench.ensureStarted(true);
    ReferenceBrokerImages.buildAll(bench.images().root());
    PostgresServer postgres = PostgresServer.shared();
    PostgresDatabase database = postgres.createDatabase();
    String kubectl = BenchLayout.current().binary("kubectl").toString();
    System.out.printf(
        """

        The bench is up (%d ms): etcd, kube-apiserver, kube-controller-manager and node %s.
          export KUBECONFIG=%s
          alias kubectl=%s
          kubectl get nodes,pods -A
        PostgreSQL (%s), an empty database for a broker:
          PACTFLOW_DATABASE_URL=%s
        Reference broker images (%s:<tag>): %s; and %s, which never becomes ready
        Ctrl-C stops everything.
        %n""",
        (System.nanoTime() - start) / 1_000_000,
        dev.brokerops.bench.node.NodeAgent.NODE_NAME,
        bench.kubeconfig(),
        kubectl,
        postgres.kind(),
        database.brokerUrl(),
        ReferenceBrokerImages.REPOSITORY,
        String.join(", ", ReferenceBrokerImages.tags()),
        ReferenceBrokerImages.FAULTY_TAG);
    new CountDownLatch(1).await();
  }
}

package dev.brokerops.perf;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.BenchLayout;
import dev.brokerops.bench.Kubectl;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The procedure by hand, as a pipeline would script it with the bench's kubectl: {@code kubectl
 * apply} of the {@code db-version} Job and {@code kubectl wait}, the same for {@code db-migrate},
 * one {@code kubectl patch} for the image and the auto-migrate variable, {@code kubectl rollout
 * status}, a wait for the old pods to be gone, then {@code kubectl apply} and {@code kubectl wait}
 * of {@code db-migrate} again. It runs as a ServiceAccount of its own ({@code edit} everywhere),
 * from a token kubeconfig, so the audit log tells its requests apart.
 */
final class KubectlScript {

  static final String NAMESPACE = "brokerops-perf";
  static final String SERVICE_ACCOUNT = "upgrade-script";
  static final String IDENTITY = "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;

  static final String SCRIPT =
      """
      #!/usr/bin/env bash
      # usage: upgrade.sh NAMESPACE DEPLOYMENT CONTAINER SELECTOR FROM_IMAGE TO_IMAGE RUN
      set -euo pipefail
      ns=$1 deployment=$2 container=$3 selector=$4 from=$5 to=$6 run=$7

      job() { # NAME STEP IMAGE COMMAND: apply a Job and wait for it to complete
        kubectl -n "$ns" apply -f - <<EOF
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: $1
        labels:
          upgrades.brokerops.dev/step: $2
      spec:
        backoffLimit: 0
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: step
                image: $3
                command: ["$4"]
      EOF
        kubectl -n "$ns" wait --for=condition=Complete "job/$1" --timeout=300s
      }

      job "$run-db-version" RecordDatabaseVersion "$from" db-version
      job "$run-db-migrate" SchemaMigration "$to" db-migrate
      old_pods=$(kubectl -n "$ns" get pods -l "$selector" -o name)
      kubectl -n "$ns" patch deployment "$deployment" --type=strategic -p \\
        "{\\"spec\\":{\\"template\\":{\\"spec\\":{\\"containers\\":[{\\"name\\":\\"$container\\",\\"image\\":\\"$to\\",\\"env\\":[{\\"name\\":\\"PACTFLOW_DATABASE_AUTO_MIGRATE\\",\\"value\\":\\"false\\"}]}]}}}}"
      kubectl -n "$ns" rollout status "deployment/$deployment" --timeout=300s
      # terminating ones included: their late writes need the data migration too
      kubectl -n "$ns" wait --for=delete $old_pods --timeout=300s
      job "$run-db-migrate-data" DataMigration "$to" db-migrate
      """;

  private final Path script;
  private final Path kubeconfig;
  private final Path home;

  private KubectlScript(Path script, Path kubeconfig, Path home) {
    this.script = script;
    this.kubeconfig = kubeconfig;
    this.home = home;
  }

  /**
   * Writes the script and gives it its identity: a ServiceAccount bound to {@code edit} in every
   * namespace, and a kubeconfig with a token for it.
   */
  static KubectlScript install(Bench bench, Path dir) {
    var client = bench.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    client
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(SERVICE_ACCOUNT)
                .endMetadata()
                .build())
        .serverSideApply();
    client
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("brokerops-perf-upgrade-script")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "edit")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(SERVICE_ACCOUNT)
                .withNamespace(NAMESPACE)
                .endSubject()
                .build())
        .serverSideApply();
    TokenRequest token =
        client
            .serviceAccounts()
            .inNamespace(NAMESPACE)
            .withName(SERVICE_ACCOUNT)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(Duration.ofHours(12).toSeconds())
                    .endSpec()
                    .build());
    Config admin = client.getConfiguration();
    String ca;
    try {
      ca =
          admin.getCaCertData() != null
              ? admin.getCaCertData()
              : Base64.getEncoder()
                  .encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
      Files.createDirectories(dir);
      Path kubeconfig = dir.resolve("upgrade-script.kubeconfig");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters:
            - name: bench
              cluster:
                server: %s
                certificate-authority-data: %s
          users:
            - name: upgrade-script
              user:
                token: %s
          contexts:
            - name: bench
              context:
                cluster: bench
                user: upgrade-script
          current-context: bench
          """
              .formatted(admin.getMasterUrl(), ca, token.getStatus().getToken()));
      Path script = dir.resolve("upgrade.sh");
      Files.writeString(script, SCRIPT);
      Path home = Files.createDirectories(dir.resolve("home"));
      return new KubectlScript(script, kubeconfig, home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the procedure from {@code from} to {@code to} on the Deployment; returns at its end. */
  Kubectl.Result upgrade(
      String namespace,
      String deployment,
      String container,
      String selector,
      String from,
      String to,
      String run) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "bash",
                script.toString(),
                namespace,
                deployment,
                container,
                selector,
                from,
                to,
                run));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Path kubectl = BenchLayout.current().binary("kubectl");
    builder
        .environment()
        .put(
            "PATH",
            kubectl.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    // kubectl's discovery cache, as on a CI runner that has run it before
    builder.environment().put("HOME", home.toString());
    return Kubectl.runToEnd(builder, null);
  }
}

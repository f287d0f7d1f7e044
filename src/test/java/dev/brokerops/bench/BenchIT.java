package dev.brokerops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bench proves itself: the real controllers act on what the node agent reports. */
class BenchIT {

  @RegisterExtension static final Bench bench = Bench.full();

  private static final String SHELL = "bench.test/shell:v1";
  private static String namespace;

  @BeforeAll
  static void images() {
    TestImages.write(bench.images(), "bench.test/shell", "v1", "sh", Map.of());
    namespace = bench.createNamespace("bench");
  }

  @Test
  void jobWhoseProcessExitsZeroIsCompleteByTheJobController() {
    createJob("exits-zero", List.of("/bin/sh", "-c", "echo all good"));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> condition(job("exits-zero"), "Complete").isPresent());
    assertThat(condition(job("exits-zero"), "Failed")).isEmpty();
    assertThat(job("exits-zero").getStatus().getSucceeded()).isEqualTo(1);
  }

  @Test
  void theAuditLogNamesWhoWroteWhatAndKeepsTheStatusWriteThatCompletedAJob() {
    AuditLog audit = bench.auditLog();
    long mark = audit.mark();
    createJob("audited", List.of("/bin/sh", "-c", "true"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> condition(job("audited"), "Complete").isPresent());

    List<AuditLog.Event> complete =
        await("the Job controller's status write that set Complete, in the audit log")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    audit.readFrom(mark).stream()
                        .filter(e -> e.namespace().equals(namespace))
                        .filter(e -> e.name().equals("audited"))
                        .filter(e -> e.resourcePath().equals("jobs/status"))
                        .filter(
                            e ->
                                e.response()
                                    .map(job -> job.path("status").path("conditions").toString())
                                    .orElse("")
                                    .contains("\"type\":\"Complete\""))
                        .toList(),
                found -> !found.isEmpty());
    AuditLog.Event created =
        audit.readFrom(mark).stream()
            .filter(e -> e.verb().equals("create") && e.resource().equals("jobs"))
            .filter(e -> e.name().equals("audited"))
            .findFirst()
            .orElseThrow();
    AuditLog.Event completing = complete.get(0);
    assertThat(created.apiGroup()).isEqualTo("batch");
    assertThat(created.isWrite()).isTrue();
    assertThat(created.code()).isEqualTo(201);
    assertThat(created.userAgent()).doesNotContain("kube-controller-manager");
    // kube-controller-manager runs with the admin kubeconfig: its user agent names the controller
    assertThat(completing.userAgent())
        .contains("kube-controller-manager")
        .contains("job-controller");
    assertThat(completing.verb()).isEqualTo("update");
    assertThat(completing.received()).isAfter(created.completed());
    assertThat(completing.completed()).isAfterOrEqualTo(completing.received());
    assertThat(completing.requestObject()).isNotNull();
    // Metadata only for the rest: the Job's own create carries no body
    assertThat(created.requestObject()).isNull();
    // the test's client and the controllers share the admin user: only the user agent tells
    assertThat(created.user()).isNotEmpty().isEqualTo(completing.user());
  }

  @Test
  void aServicesEndpointSliceListsItsReadyPodsAndDropsOneBeingDeleted() {
    List<String> podIps = servedPods("served");
    assumeFalse(
        podIps.get(0).startsWith("127."),
        "pods have loopback addresses, which EndpointSlices refuse: only in a network namespace"
            + " of the bench's own (src/test/bench/own-netns.sh, as make bench runs)");
    await("the EndpointSlice lists both pods, ready")
        .atMost(Duration.ofSeconds(30))
        .until(() -> readyEndpoints("served"), ips -> ips.equals(podIps));

    Pod leaving =
        client().pods().inNamespace(namespace).withLabel("app", "served").list().getItems().get(0);
    client().pods().inNamespace(namespace).resource(leaving).delete();
    await("the terminating pod is no longer a ready endpoint")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> readyEndpoints("served"), ips -> !ips.contains(leaving.getStatus().getPodIP()));
  }

  @Test
  void inTheHostsNetworkNamespaceEndpointSlicesRefuseThePodsLoopbackAddresses() {
    List<String> podIps = servedPods("served-on-loopback");
    assumeTrue(podIps.get(0).startsWith("127."), "pods have addresses EndpointSlices accept");
    // the EndpointSlice controller runs, and says why the Service gets no endpoints
    await("the EndpointSlice controller's warning about the loopback addresses")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client().v1().events().inNamespace(namespace).list().getItems().stream()
                    .filter(e -> "served-on-loopback".equals(e.getInvolvedObject().getName()))
                    .anyMatch(
                        e ->
                            "FailedToUpdateEndpointSlices".equals(e.getReason())
                                && e.getMessage().contains("loopback")));
    assertThat(readyEndpoints("served-on-loopback")).isEmpty();
  }

  /**
   * A 2-replica Deployment whose pods ignore SIGTERM (they stay terminating for their grace period)
   * and a Service selecting them; returns their IPs, sorted, once both are ready.
   */
  private List<String> servedPods(String name) {
    client()
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withNewSpec()
                .withTerminationGracePeriodSeconds(30L)
                .addNewContainer()
                .withName("main")
                .withImage(SHELL)
                .withCommand("/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    client()
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", name)
                .addNewPort()
                .withPort(80)
                .withTargetPort(new IntOrString(8080))
                .endPort()
                .endSpec()
                .build())
        .create();
    await("two ready pods").atMost(Duration.ofSeconds(60)).until(() -> rolledOut(name, 2));
    return client().pods().inNamespace(namespace).withLabel("app", name).list().getItems().stream()
        .map(p -> p.getStatus().getPodIP())
        .sorted()
        .toList();
  }

  @Test
  void aPodForAnotherSchedulerIsLeftAloneByTheNode() {
    Pod elsewhere = podSpec("for-another-scheduler", SHELL, List.of("sleep", "3600"));
    elsewhere.getSpec().setSchedulerName("bench-unscheduled");
    client().pods().inNamespace(namespace).resource(elsewhere).create();
    createPod("for-the-default-scheduler", SHELL, List.of("sleep", "3600"));
    await("the default scheduler's pod runs")
        .atMost(Duration.ofSeconds(60))
        .until(() -> "Running".equals(pod("for-the-default-scheduler").getStatus().getPhase()));

    await("the other scheduler's pod stays unbound, without status from the node")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Pod pod = pod("for-another-scheduler");
              return pod.getSpec().getNodeName() == null
                  && "Pending".equals(pod.getStatus().getPhase())
                  && (pod.getStatus().getContainerStatuses() == null
                      || pod.getStatus().getContainerStatuses().isEmpty());
            });
  }

  @Test
  void jobWhoseProcessExitsThreeIsFailedWithItsTerminationMessage() {
    createJob(
        "exits-three",
        List.of(
            "/bin/sh", "-c", "echo 'migration 20250312 failed' > /dev/termination-log; exit 3"));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> condition(job("exits-three"), "Failed").isPresent());
    Pod pod =
        client()
            .pods()
            .inNamespace(namespace)
            .withLabel("job-name", "exits-three")
            .list()
            .getItems()
            .get(0);
    var terminated = pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isEqualTo(3);
    assertThat(terminated.getMessage()).isEqualTo("migration 20250312 failed\n");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
  }

  @Test
  void failedJobFallsBackToTheOutputTailWhenThePolicySaysSo() {
    Job job =
        jobSpec("falls-back", List.of("/bin/sh", "-c", "echo 'cannot reach the database'; exit 2"));
    job.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setTerminationMessagePolicy("FallbackToLogsOnError");
    client().batch().v1().jobs().inNamespace(namespace).resource(job).create();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> condition(job("falls-back"), "Failed").isPresent());
    Pod pod =
        client()
            .pods()
            .inNamespace(namespace)
            .withLabel("job-name", "falls-back")
            .list()
            .getItems()
            .get(0);
    assertThat(
            pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
        .isEqualTo("cannot reach the database\n");
  }

  @Test
  void deploymentRollsThreeReplicasToAnotherImageAndOldProcessesGetSigterm() throws IOException {
    Path signals = Files.createTempFile("bench-signals", ".log");
    String server =
        """
        #!/bin/sh
        trap 'echo "$HOSTNAME $VERSION SIGTERM" >> "$SIGNAL_LOG"; exit 0' TERM
        echo "$HOSTNAME $VERSION started" >> "$SIGNAL_LOG"
        while true; do sleep 0.1; done
        """;
    String v1 =
        TestImages.write(
            bench.images(), "bench.test/server", "v1", "serve", Map.of("serve", server));
    String v2 =
        TestImages.write(
            bench.images(), "bench.test/server", "v2", "serve", Map.of("serve", server));
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("server")
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .withNewSelector()
            .addToMatchLabels("app", "server")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", "server")
            .endMetadata()
            .withNewSpec()
            .withTerminationGracePeriodSeconds(10L)
            .addNewContainer()
            .withName("server")
            .withImage(v1)
            .addNewEnv()
            .withName("VERSION")
            .withValue("v1")
            .endEnv()
            .addNewEnv()
            .withName("SIGNAL_LOG")
            .withValue(signals.toString())
            .endEnv()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client().apps().deployments().inNamespace(namespace).resource(deployment).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> rolledOut("server", 3));

    client()
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName("server")
        .edit(
            d -> {
              var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
              container.setImage(v2);
              container.getEnv().get(0).setValue("v2");
              return d;
            });

    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                rolledOut("server", 3)
                    && client()
                        .pods()
                        .inNamespace(namespace)
                        .withLabel("app", "server")
                        .list()
                        .getItems()
                        .stream()
                        .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals(v2)));
    List<String> lines = Files.readAllLines(signals);
    assertThat(lines.stream().filter(l -> l.endsWith("v1 SIGTERM"))).hasSize(3);
    assertThat(lines.stream().filter(l -> l.endsWith("v2 started"))).hasSize(3);
    var status =
        client().apps().deployments().inNamespace(namespace).withName("server").get().getStatus();
    assertThat(status.getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Progressing");
              assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
            });
  }

  @Test
  void unknownImageLeavesThePodPendingWithErrImagePullThenImagePullBackOff() {
    createPod("no-such-image", "bench.test/does-not-exist:1.0.0", List.of("true"));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> waitingReason("no-such-image").filter("ErrImagePull"::equals).isPresent());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> waitingReason("no-such-image").filter("ImagePullBackOff"::equals).isPresent());
    assertThat(pod("no-such-image").getStatus().getPhase()).isEqualTo("Pending");
  }

  @Test
  void envFromAMissingSecretKeyLeavesTheContainerWaitingWithCreateContainerConfigError() {
    client()
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("db")
                .endMetadata()
                .addToStringData("username", "broker")
                .build())
        .create();
    Pod pod = podSpec("missing-key", SHELL, List.of("/bin/sh", "-c", "sleep 60"));
    pod.getSpec()
        .getContainers()
        .get(0)
        .setEnv(
            List.of(
                new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                    .withName("PASSWORD")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("password", "db", false)
                    .endValueFrom()
                    .build()));
    client().pods().inNamespace(namespace).resource(pod).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                waitingReason("missing-key")
                    .filter("CreateContainerConfigError"::equals)
                    .isPresent());
    ContainerStateWaiting waiting =
        containerStatus("missing-key").orElseThrow().getState().getWaiting();
    assertThat(waiting.getMessage())
        .isEqualTo("couldn't find key password in Secret " + namespace + "/db");
  }

  @Test
  void secretVolumeFileIsReadableAtItsMountPath() {
    client()
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("licence")
                .endMetadata()
                .addToStringData("pactflow-onprem.lic", "licensed-to-the-bench")
                .build())
        .create();
    Pod pod =
        new PodBuilder(
                podSpec(
                    "reads-licence",
                    SHELL,
                    List.of(
                        "/bin/sh", "-c", "cat /home/pactflow-onprem.lic > /dev/termination-log")))
            .editSpec()
            .withRestartPolicy("Never")
            .addNewVolume()
            .withName("licence")
            .withNewSecret()
            .withSecretName("licence")
            .endSecret()
            .endVolume()
            .editFirstContainer()
            .addNewVolumeMount()
            .withName("licence")
            .withMountPath("/home/pactflow-onprem.lic")
            .withSubPath("pactflow-onprem.lic")
            .withReadOnly(true)
            .endVolumeMount()
            .endContainer()
            .endSpec()
            .build();
    client().pods().inNamespace(namespace).resource(pod).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "Succeeded".equals(pod("reads-licence").getStatus().getPhase()));
    assertThat(
            containerStatus("reads-licence").orElseThrow().getState().getTerminated().getMessage())
        .isEqualTo("licensed-to-the-bench");
    assertThat(Path.of("/home/pactflow-onprem.lic")).as("the host is untouched").doesNotExist();
  }

  @Test
  void kubectlWithTheBenchKubeconfigListsThePods() {
    createPod("listed", SHELL, List.of("/bin/sh", "-c", "sleep 60"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "Running".equals(pod("listed").getStatus().getPhase()));

    Kubectl.Result result = new Kubectl(bench.kubeconfig()).run("get", "pods", "-n", namespace);
    String output = result.output();
    assertThat(result.exitCode()).as(output).isZero();
    assertThat(output).contains("NAME", "STATUS").containsPattern("listed\\s+1/1\\s+Running");
  }

  @Test
  void blockOwnerDeletionNeedsUpdateOnTheOwnersFinalizers() {
    // OwnerReferencesPermissionEnforcement is on, as in OpenShift: setting an ownerReference
    // needs `delete` on the object, and blockOwnerDeletion also `update` on the owner's finalizers
    String ns = bench.createNamespace("ownerrefs");
    client()
        .serviceAccounts()
        .inNamespace(ns)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("writer").endMetadata().build())
        .create();
    client()
        .rbac()
        .roles()
        .inNamespace(ns)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("writer")
                .endMetadata()
                .addToRules(rule("configmaps", "get", "create", "delete"))
                .build())
        .create();
    client()
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("writer")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "writer")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("writer")
                .withNamespace(ns)
                .endSubject()
                .build())
        .create();
    ConfigMap owner =
        client()
            .configMaps()
            .inNamespace(ns)
            .resource(
                new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build())
            .create();

    try (KubernetesClient writer = clientAs(ns, "writer")) {
      assertThat(createOwned(writer, ns, "plain-child", owner, false))
          .as("an ownerReference without blockOwnerDeletion needs no finalizers permission")
          .isNotNull();
      assertThatThrownBy(() -> createOwned(writer, ns, "blocking-child", owner, true))
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(403);
                assertThat(e.getMessage())
                    .contains(
                        "cannot set blockOwnerDeletion if an ownerReference refers to a resource"
                            + " you can't set finalizers on");
              });

      client()
          .rbac()
          .roles()
          .inNamespace(ns)
          .withName("writer")
          .edit(
              role ->
                  new RoleBuilder(role)
                      .addToRules(rule("configmaps/finalizers", "update"))
                      .build());
      await("blockOwnerDeletion allowed once the writer may update the owner's finalizers")
          .atMost(Duration.ofSeconds(30))
          .ignoreException(KubernetesClientException.class)
          .until(() -> createOwned(writer, ns, "blocking-child", owner, true) != null);
    }
  }

  @Test
  void aClusterRoleLabelledAggregateToViewIsFoldedIntoView() {
    PolicyRule widgets =
        new PolicyRuleBuilder(rule("benchwidgets", "get", "list", "watch")).build();
    widgets.setApiGroups(List.of("bench.brokerops.dev"));
    client()
        .rbac()
        .clusterRoles()
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName("bench-widgets-view")
                .addToLabels("rbac.authorization.k8s.io/aggregate-to-view", "true")
                .endMetadata()
                .addToRules(widgets)
                .build())
        .serverSideApply();
    try {
      await("view aggregates the new ClusterRole's rule")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  viewRules().stream()
                      .anyMatch(
                          r ->
                              r.getApiGroups().contains("bench.brokerops.dev")
                                  && r.getResources().contains("benchwidgets")
                                  && r.getVerbs().containsAll(List.of("get", "list", "watch"))));
      assertThat(viewRules())
          .as("and the built-in aggregate-to-view rules")
          .anySatisfy(r -> assertThat(r.getResources()).contains("pods"));
    } finally {
      client().rbac().clusterRoles().withName("bench-widgets-view").delete();
    }
  }

  @Test
  void apiServerRestartKeepsWhatEtcdStoredAndEveryClientReconnects() {
    String ns = bench.createNamespace("restart");
    client()
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("before-restart")
                .endMetadata()
                .addToData("value", "1")
                .build())
        .create();
    List<String> seen = new CopyOnWriteArrayList<>();
    SharedIndexInformer<ConfigMap> informer =
        client()
            .configMaps()
            .inNamespace(ns)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ConfigMap map) {
                    seen.add("added " + map.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(ConfigMap old, ConfigMap map) {
                    seen.add("updated " + map.getMetadata().getName() + " " + map.getData());
                  }

                  @Override
                  public void onDelete(ConfigMap map, boolean unknownFinalState) {}
                });
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("added before-restart"));

      Duration took = bench.restartApiServer();

      assertThat(took).as("restart time").isLessThan(Duration.ofSeconds(60));
      assertThat(client().configMaps().inNamespace(ns).withName("before-restart").get().getData())
          .as("what etcd stored before the restart")
          .containsEntry("value", "1");
      client()
          .configMaps()
          .inNamespace(ns)
          .withName("before-restart")
          .edit(map -> new ConfigMapBuilder(map).addToData("value", "2").build());
      await("the informer started before the restart sees a change made after it")
          .atMost(Duration.ofSeconds(60))
          .until(() -> seen.contains("updated before-restart {value=2}"));

      // kube-controller-manager's Job controller and the node agent reconnected too
      String job = "after-restart";
      client()
          .batch()
          .v1()
          .jobs()
          .inNamespace(ns)
          .resource(jobSpec(job, List.of("/bin/sh", "-c", "true")))
          .create();
      await("a Job created after the restart completes")
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  condition(
                          client().batch().v1().jobs().inNamespace(ns).withName(job).get(),
                          "Complete")
                      .isPresent());
    } finally {
      informer.close();
    }
  }

  private List<PolicyRule> viewRules() {
    ClusterRole view = client().rbac().clusterRoles().withName("view").get();
    return view.getRules() == null ? List.of() : view.getRules();
  }

  private static PolicyRule rule(String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups("")
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  /** A client that authenticates with a real token of the service account. */
  private KubernetesClient clientAs(String ns, String serviceAccount) {
    String token =
        client()
            .serviceAccounts()
            .inNamespace(ns)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config admin = client().getConfiguration();
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(Config.empty())
                .withMasterUrl(admin.getMasterUrl())
                .withCaCertFile(admin.getCaCertFile())
                .withCaCertData(admin.getCaCertData())
                .withOauthToken(token)
                .build())
        .build();
  }

  private static ConfigMap createOwned(
      KubernetesClient as, String ns, String name, ConfigMap owner, boolean blockOwnerDeletion) {
    return as.configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .addToOwnerReferences(
                    new OwnerReferenceBuilder()
                        .withApiVersion("v1")
                        .withKind("ConfigMap")
                        .withName(owner.getMetadata().getName())
                        .withUid(owner.getMetadata().getUid())
                        .withBlockOwnerDeletion(blockOwnerDeletion)
                        .build())
                .endMetadata()
                .build())
        .create();
  }

  private io.fabric8.kubernetes.client.KubernetesClient client() {
    return bench.client();
  }

  private Job jobSpec(String name, List<String> command) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("main")
        .withImage(SHELL)
        .withCommand(command)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private void createJob(String name, List<String> command) {
    client().batch().v1().jobs().inNamespace(namespace).resource(jobSpec(name, command)).create();
  }

  private Job job(String name) {
    return client().batch().v1().jobs().inNamespace(namespace).withName(name).get();
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type) && c.getStatus().equals("True"))
        .findFirst();
  }

  /** The IPs a Service's EndpointSlices list as ready, sorted. */
  private List<String> readyEndpoints(String service) {
    return client()
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service)
        .list()
        .getItems()
        .stream()
        .flatMap(slice -> Optional.ofNullable(slice.getEndpoints()).orElse(List.of()).stream())
        .filter(
            e -> e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()))
        .flatMap(e -> e.getAddresses().stream())
        .sorted()
        .toList();
  }

  private boolean rolledOut(String name, int replicas) {
    Deployment d = client().apps().deployments().inNamespace(namespace).withName(name).get();
    var s = d.getStatus();
    return s != null
        && s.getObservedGeneration() != null
        && s.getObservedGeneration() >= d.getMetadata().getGeneration()
        && Integer.valueOf(replicas).equals(s.getUpdatedReplicas())
        && Integer.valueOf(replicas).equals(s.getAvailableReplicas())
        && Integer.valueOf(replicas).equals(s.getReplicas());
  }

  private Pod podSpec(String name, String image, List<String> command) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(5L)
        .addNewContainer()
        .withName("main")
        .withImage(image)
        .withCommand(command)
        .endContainer()
        .endSpec()
        .build();
  }

  private void createPod(String name, String image, List<String> command) {
    client().pods().inNamespace(namespace).resource(podSpec(name, image, command)).create();
  }

  private Pod pod(String name) {
    return client().pods().inNamespace(namespace).withName(name).get();
  }

  private Optional<ContainerStatus> containerStatus(String pod) {
    Pod p = pod(pod);
    if (p == null
        || p.getStatus() == null
        || p.getStatus().getContainerStatuses() == null
        || p.getStatus().getContainerStatuses().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(p.getStatus().getContainerStatuses().get(0));
  }

  private Optional<String> waitingReason(String pod) {
    return containerStatus(pod)
        .map(s -> s.getState().getWaiting())
        .map(ContainerStateWaiting::getReason);
  }
}

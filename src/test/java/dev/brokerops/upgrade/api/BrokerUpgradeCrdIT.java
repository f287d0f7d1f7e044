package dev.brokerops.upgrade.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRD on a real API server: bad objects are refused at admission with messages a
 * person understands.
 */
class BrokerUpgradeCrdIT {

  @RegisterExtension static final Bench bench = Bench.controlPlane();

  private static final ResourceDefinitionContext BROKER_UPGRADES =
      new ResourceDefinitionContext.Builder()
          .withGroup(BrokerUpgrade.GROUP)
          .withVersion(BrokerUpgrade.VERSION)
          .withPlural("brokerupgrades")
          .withKind("BrokerUpgrade")
          .withNamespaced(true)
          .build();
  private static final AtomicInteger names = new AtomicInteger();
  private static String namespace;

  @BeforeAll
  static void installCrd() throws Exception {
    BrokerUpgradeCrd.apply(bench.client());
    namespace = bench.createNamespace("crd");
  }

  private static GenericKubernetesResource brokerUpgrade(Map<String, Object> spec) {
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion(BrokerUpgrade.GROUP + "/" + BrokerUpgrade.VERSION);
    resource.setKind("BrokerUpgrade");
    resource.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("bu-" + names.incrementAndGet())
            .withNamespace(namespace)
            .build());
    resource.setAdditionalProperty("spec", spec);
    return resource;
  }

  private static GenericKubernetesResource create(Map<String, Object> spec) {
    return bench
        .client()
        .genericKubernetesResources(BROKER_UPGRADES)
        .inNamespace(namespace)
        .resource(brokerUpgrade(spec))
        .create();
  }

  private static Map<String, Object> valid(Object... overrides) {
    var spec =
        new java.util.LinkedHashMap<String, Object>(
            Map.of("deployment", "pactflow", "version", "2.4.1"));
    for (int i = 0; i < overrides.length; i += 2) {
      if (overrides[i + 1] == null) {
        spec.remove((String) overrides[i]);
      } else {
        spec.put((String) overrides[i], overrides[i + 1]);
      }
    }
    return spec;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void refusesWithAClearMessage(
      String what, Map<String, Object> spec, List<String> expectedMessages) {
    assertThatThrownBy(() -> create(spec))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains(expectedMessages);
            });
    // and what a person sees
    Kubectl.Result applied =
        new Kubectl(bench.kubeconfig())
            .runWithInput(
                bench.client().getKubernetesSerialization().asYaml(brokerUpgrade(spec)),
                "apply",
                "-f",
                "-");
    assertThat(applied.exitCode()).as(applied.output()).isNotZero();
    assertThat(applied.output()).contains("is invalid").contains(expectedMessages);
  }

  static List<Arguments> invalidSpecs() {
    return List.of(
        Arguments.of(
            "missing deployment",
            valid("deployment", null),
            List.of("spec.deployment: Required value")),
        Arguments.of(
            "missing version", valid("version", null), List.of("spec.version: Required value")),
        Arguments.of(
            "deployment not a name",
            valid("deployment", "Pact Flow"),
            List.of("deployment must be the name of a Deployment")),
        Arguments.of(
            "version without patch",
            valid("version", "2.4"),
            List.of(
                "spec.version",
                "version must look like MAJOR.MINOR.PATCH with an optional -suffix")),
        Arguments.of(
            "version with a v",
            valid("version", "v2.4.1"),
            List.of("version must look like MAJOR.MINOR.PATCH")),
        Arguments.of(
            "unknown onFailure",
            valid("onFailure", "Explode"),
            List.of("spec.onFailure: Unsupported value: \"Explode\"", "\"Halt\"", "\"Rollback\"")),
        Arguments.of(
            "unknown majorUpgrades",
            valid("versionPolicy", Map.of("majorUpgrades", "Sometimes")),
            List.of("spec.versionPolicy.majorUpgrades: Unsupported value: \"Sometimes\"")),
        Arguments.of(
            "bad available version",
            valid("versionPolicy", Map.of("availableVersions", List.of("1.17.3", "latest"))),
            List.of("every entry of availableVersions must look like MAJOR.MINOR.PATCH")),
        Arguments.of(
            "negative activeDeadlineSeconds",
            valid("jobs", Map.of("activeDeadlineSeconds", -5)),
            List.of("spec.jobs.activeDeadlineSeconds", "should be greater than or equal to 1")),
        Arguments.of(
            "zero activeDeadlineSeconds",
            valid("jobs", Map.of("activeDeadlineSeconds", 0)),
            List.of("spec.jobs.activeDeadlineSeconds", "should be greater than or equal to 1")),
        Arguments.of(
            "negative backoffLimit",
            valid("jobs", Map.of("backoffLimit", -1)),
            List.of("spec.jobs.backoffLimit", "should be greater than or equal to 0")),
        Arguments.of(
            "negative ttlSecondsAfterFinished",
            valid("jobs", Map.of("ttlSecondsAfterFinished", -1)),
            List.of("spec.jobs.ttlSecondsAfterFinished", "must be at least 60 seconds")),
        Arguments.of(
            "zero ttlSecondsAfterFinished: the Job could vanish before its result is read",
            valid("jobs", Map.of("ttlSecondsAfterFinished", 0)),
            List.of("spec.jobs.ttlSecondsAfterFinished", "must be at least 60 seconds")),
        Arguments.of(
            "zero rollout timeout",
            valid("rollout", Map.of("timeoutSeconds", 0)),
            List.of("spec.rollout.timeoutSeconds", "should be greater than or equal to 1")),
        Arguments.of(
            "empty migrateCommand",
            valid("procedure", Map.of("migrateCommand", List.of())),
            List.of("spec.procedure.migrateCommand", "should have at least 1 items")),
        Arguments.of(
            "blank word in versionCommand",
            valid("procedure", Map.of("versionCommand", List.of(""))),
            List.of("versionCommand must not contain empty strings")),
        Arguments.of(
            "image with a tag",
            valid("image", "quay.io/pactflow/enterprise:2.4.1"),
            List.of("image is a repository without a tag")),
        Arguments.of(
            "relative migrationsDir",
            valid("procedure", Map.of("migrationsDir", "db/migrations")),
            List.of("migrationsDir must be an absolute path")));
  }

  @Test
  void acceptsAMinimalObjectAndFillsInTheDocumentedDefaults() {
    GenericKubernetesResource created = create(valid());

    BrokerUpgrade typed =
        bench.client().getKubernetesSerialization().convertValue(created, BrokerUpgrade.class);
    BrokerUpgradeSpec spec = typed.getSpec();
    assertThat(spec.getOnFailure()).isEqualTo(FailurePolicy.Halt);
    assertThat(spec.isPaused()).isFalse();
    assertThat(spec.getVersionPolicy().getMajorUpgrades())
        .isEqualTo(MajorUpgradePolicy.RequireLatestPatch);
    assertThat(spec.getProcedure().getMigrateCommand()).containsExactly("db-migrate");
    assertThat(spec.getProcedure().getVersionCommand()).containsExactly("db-version");
    assertThat(spec.getProcedure().getAutoMigrateEnv()).isEqualTo("PACTFLOW_DATABASE_AUTO_MIGRATE");
    assertThat(spec.getProcedure().getMigrationsDir())
        .isEqualTo("/home/pact_broker_fork/db/migrations");
    assertThat(spec.getJobs().getActiveDeadlineSeconds()).isEqualTo(1800);
    assertThat(spec.getJobs().getTtlSecondsAfterFinished()).isEqualTo(86400);
    assertThat(spec.getRollout().getTimeoutSeconds()).isEqualTo(900);
    // straight from the API server's stored object, not the Java defaults
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = (Map<String, Object>) created.getAdditionalProperties().get("spec");
    assertThat(raw)
        .containsEntry("onFailure", "Halt")
        .containsKeys("jobs", "procedure", "rollout", "versionPolicy");
  }

  @Test
  void acceptsPreReleaseVersionsAndRegistryPorts() {
    create(valid("version", "2.5.0-rc.1", "image", "registry.local:5000/pactflow/enterprise"));
  }

  @Test
  void printsTheDocumentedColumnsWithTheirValues() {
    GenericKubernetesResource created = create(valid());
    created.setAdditionalProperty(
        "status",
        Map.of(
            "currentVersion",
            "2.3.0",
            "targetVersion",
            "2.4.1",
            "phase",
            "Running",
            "step",
            "SchemaMigration"));
    bench
        .client()
        .genericKubernetesResources(BROKER_UPGRADES)
        .inNamespace(namespace)
        .resource(created)
        .updateStatus();

    @SuppressWarnings("unchecked")
    Map<String, Object> table =
        bench.client().getKubernetesSerialization().unmarshal(tableJson(), Map.class);

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> columns = (List<Map<String, Object>>) table.get("columnDefinitions");
    // API.md's order: DEPLOYMENT, CURRENT, TARGET, PHASE, STEP, AGE (see PrinterColumnOrder)
    assertThat(columns)
        .extracting(column -> column.get("name"))
        .containsExactly("Name", "Deployment", "Current", "Target", "Phase", "Step", "Age");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) table.get("rows");
    assertThat(rows)
        .anySatisfy(
            row -> {
              @SuppressWarnings("unchecked")
              List<Object> cells = (List<Object>) row.get("cells");
              assertThat(cells.subList(1, 6))
                  .containsExactly("pactflow", "2.3.0", "2.4.1", "Running", "SchemaMigration");
              assertThat((String) cells.get(6)).matches("[0-9]+[smhd].*");
              assertThat(cells.get(0)).isEqualTo(created.getMetadata().getName());
            });
  }

  private static String tableJson() {
    var http = bench.client().getHttpClient();
    var url =
        bench.client().getMasterUrl().toString().replaceAll("/$", "")
            + "/apis/"
            + BrokerUpgrade.GROUP
            + "/"
            + BrokerUpgrade.VERSION
            + "/namespaces/"
            + namespace
            + "/brokerupgrades";
    var request =
        http.newHttpRequestBuilder()
            .uri(url)
            .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
            .build();
    return http.sendAsync(request, String.class).join().body();
  }
}

package dev.brokerops.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two installs grant the operator the same rules: one in every namespace, one in its own. */
class RbacManifestsTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  @Test
  void theNamespacedRoleGrantsExactlyTheClusterRolesRules() throws IOException {
    ClusterRole clusterRole =
        only(read("manifests/rbac/cluster-role.yaml"), ClusterRole.class, "brokerupgrade-operator");
    Role role =
        only(read("manifests/overlays/namespaced/role.yaml"), Role.class, "brokerupgrade-operator");

    assertThat(role.getRules()).isEqualTo(clusterRole.getRules());
  }

  @Test
  void theOperatorNeverReadsSecretsOrConfigMapsNorExecsIntoPods() throws IOException {
    ClusterRole clusterRole =
        only(read("manifests/rbac/cluster-role.yaml"), ClusterRole.class, "brokerupgrade-operator");

    assertThat(clusterRole.getRules())
        .flatExtracting(PolicyRule::getResources)
        .doesNotContain("secrets", "configmaps", "pods/exec", "pods/log", "*");
    assertThat(clusterRole.getRules()).flatExtracting(PolicyRule::getVerbs).doesNotContain("*");
  }

  @Test
  void leaderElectionMayOnlyTouchLeases() throws IOException {
    Role election =
        only(
            read("manifests/base/leader-election.yaml"),
            Role.class,
            "brokerupgrade-operator-leader-election");

    assertThat(election.getRules())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getResources()).containsExactly("leases");
              assertThat(rule.getVerbs())
                  .containsExactlyInAnyOrder("get", "create", "patch", "update");
            });
  }

  private static List<HasMetadata> read(String file) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      Object parsed = YAML.unmarshal(in);
      if (parsed instanceof List<?> list) {
        return list.stream().map(HasMetadata.class::cast).toList();
      }
      return List.of((HasMetadata) parsed);
    }
  }

  private static <T extends HasMetadata> T only(
      List<HasMetadata> objects, Class<T> kind, String name) {
    return objects.stream()
        .filter(kind::isInstance)
        .map(kind::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
  }
}

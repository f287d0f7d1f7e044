package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whoever writes a BrokerUpgrade chooses the image the operator runs with the broker's database
 * credentials: {@code spec.image} is held to the Deployment's own repository unless the operator's
 * setting allows more.
 */
class ImagePolicyTest {

  private static final String MIRROR = "registry.example.com/mirror/pactflow";

  @Test
  void byDefaultOnlyTheDeploymentsOwnRepositoryMayBeNamed() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.upgrade.getSpec().setImage(MIRROR);

    Decision decision = cluster.reconcile();

    assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
    assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
    assertThat(decision.status().getRun()).isNull();
    Condition degraded = condition(decision, "Degraded");
    assertThat(degraded.getReason()).isEqualTo(ImagePolicy.IMAGE_NOT_ALLOWED);
    assertThat(degraded.getMessage())
        .contains(MIRROR, ObservedCluster.REPOSITORY, ImagePolicy.ENV, "remove spec.image");
    assertThat(decision.notices())
        .anyMatch(n -> n.warning() && n.reason().equals(ImagePolicy.IMAGE_NOT_ALLOWED));

    cluster.upgrade.getSpec().setImage(ObservedCluster.REPOSITORY);
    assertThat(cluster.reconcile().action()).isInstanceOf(Action.CreateJob.class);
  }

  @Test
  void theSettingAllowsListedRepositoriesAndPrefixes() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.imagePolicy = ImagePolicy.parse(" registry.example.com/mirror/* , quay.io/other ");
    cluster.upgrade.getSpec().setImage(MIRROR);

    Decision decision = cluster.reconcile();

    assertThat(decision.action()).isInstanceOf(Action.CreateJob.class);
    assertThat(((Action.CreateJob) decision.action()).job().getSpec().getTemplate().getSpec())
        .satisfies(pod -> assertThat(pod.getContainers().get(0).getImage()).startsWith(MIRROR));
  }

  @Test
  void aRepositoryOutsideTheSettingIsRefusedWithTheListInTheMessage() {
    ImagePolicy policy = ImagePolicy.parse("registry.example.com/mirror/*,quay.io/other");

    assertThat(policy.refusal("registry.example.com/mirrorx/pactflow", "quay.io/pactflow/ent"))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains("registry.example.com/mirror/*, quay.io/other", "quay.io/pactflow"));
    assertThat(policy.refusal("quay.io/other", "quay.io/pactflow/ent")).isEmpty();
    assertThat(policy.refusal("quay.io/other/sub", "quay.io/pactflow/ent")).isPresent();
    assertThat(policy.refusal(null, "quay.io/pactflow/ent")).isEmpty();
    assertThat(policy.refusal("", "quay.io/pactflow/ent")).isEmpty();
  }

  @Test
  void anUnsetOrBlankSettingIsTheDefault() {
    assertThat(ImagePolicy.parse(null)).isEqualTo(ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY);
    assertThat(ImagePolicy.parse(" ")).isEqualTo(ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY);
    assertThat(ImagePolicy.parse("a, ,b").allowedRepositories()).isEqualTo(List.of("a", "b"));
  }

  private static Condition condition(Decision decision, String type) {
    return decision.status().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}

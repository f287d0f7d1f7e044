package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * What a single-hop upgrade costs the API server in writes, counted the way the reconciler makes
 * them: a status patch when the status changed, the action, an Event per notice that is one. {@code
 * make bench} measures the same on the real API server; this keeps a change to the planner from
 * quietly adding writes.
 */
class WriteBudgetTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUDGET = 12;

  /**
   * What a new BrokerUpgrade costs besides: JOSDK's patch that adds the finalizer, before the first
   * pass.
   */
  private static final int FINALIZER_PATCH = 1;

  private final List<String> writes = new ArrayList<>();

  @Test
  void aVersionBumpOfOneHopCostsElevenWritesAndANewBrokerUpgradeTwelve() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.3.0");
    assertThat(cluster.reconcileUntilQuiet().status().getPhase()).isIn(Phase.Idle, Phase.Succeeded);
    cluster.edit(spec -> spec.setVersion("2.4.1"));

    pass(cluster); // RecordDatabaseVersion's Job
    pass(cluster); // its pod starts: nothing to write
    cluster.completeJob("dbversion", "20240101");
    pass(cluster); // SchemaMigration's Job
    pass(cluster);
    cluster.completeJob("schema", "");
    pass(cluster); // the Deployment's patch
    cluster.rolloutInProgress(2);
    pass(cluster); // the rollout goes on
    cluster.rolloutInProgress(1);
    pass(cluster);
    cluster.settleRollout();
    pass(cluster); // DataMigration's Job
    cluster.completeJob("data", "");
    Decision done = pass(cluster);
    pass(cluster);

    assertThat(done.status().getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(writes)
        .as("writes of one upgrade")
        .containsExactly(
            "status",
            "CreateJob",
            "event RunStarted",
            "status",
            "CreateJob",
            "status",
            "RolloutDeployment",
            // the rollout's progress, the Deployment's new image included, writes nothing
            "status",
            "CreateJob",
            "status",
            "event RunSucceeded");
    assertThat(writes.size() + FINALIZER_PATCH).isLessThanOrEqualTo(BUDGET);
  }

  private Decision pass(ObservedCluster cluster) {
    BrokerUpgradeStatus before = cluster.upgrade.getStatus();
    Decision decision = cluster.reconcile();
    if (!Objects.equals(JSON.valueToTree(before), JSON.valueToTree(decision.status()))) {
      writes.add("status");
    }
    if (!(decision.action() instanceof Action.Nothing)) {
      writes.add(decision.action().getClass().getSimpleName());
    }
    decision.notices().stream()
        .filter(Notice::event)
        .forEach(notice -> writes.add("event " + notice.reason()));
    return decision;
  }
}

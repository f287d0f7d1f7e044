package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What must hold before a run starts or continues: one owner per Deployment, the Deployment and its
 * broker container found, versions readable; and, before a rollout, a Deployment that can roll.
 */
final class Preflight {

  /**
   * Reason of a Preflight step that passed on a Deployment that cannot upgrade without downtime.
   */
  static final String NOT_ZERO_DOWNTIME = "NotZeroDowntime";

  /** Starts the sentence, in the Preflight step's message, that says why there will be downtime. */
  static final String DOWNTIME_NOTE = "not zero-downtime: ";

  private Preflight() {}

  /** Either the Deployment and its broker container, or why nothing may run. */
  sealed interface Result {
    record Passed(Deployment deployment, BrokerContainer broker) implements Result {}

    record Blocked(Verdict verdict) implements Result {}
  }

  /**
   * @param container the broker container looked up in the observed Deployment, when there is one
   * @param imagePolicy which repositories {@code spec.image} may name
   */
  static Result check(
      Observation observed, Optional<BrokerContainer.Lookup> container, ImagePolicy imagePolicy) {
    BrokerUpgrade upgrade = observed.upgrade();
    BrokerUpgradeSpec spec = upgrade.getSpec();
    BrokerUpgrade owner = owner(observed.claimants()).orElse(upgrade);
    if (!owner.getMetadata().getName().equals(upgrade.getMetadata().getName())) {
      return blocked(
          "DeploymentOwnedByOther",
          "Deployment "
              + spec.getDeployment()
              + " is already managed by BrokerUpgrade "
              + owner.getMetadata().getName()
              + "; one Deployment has one BrokerUpgrade. Delete this one or point"
              + " spec.deployment at another Deployment");
    }
    if (observed.deployment().isEmpty() || container.isEmpty()) {
      return blocked(
          "DeploymentNotFound",
          "Deployment "
              + spec.getDeployment()
              + " not found in namespace "
              + upgrade.getMetadata().getNamespace());
    }
    Deployment deployment = observed.deployment().get();
    BrokerContainer.Lookup lookup = container.get();
    if (lookup instanceof BrokerContainer.Lookup.NotFound notFound) {
      return blocked(notFound.reason(), notFound.message());
    }
    BrokerContainer broker = ((BrokerContainer.Lookup.Found) lookup).container();
    if (Version.parse(broker.tag()).isEmpty()) {
      return blocked(
          "CurrentVersionUnknown",
          "container "
              + broker.name()
              + " runs tag "
              + broker.tag()
              + ", which is not MAJOR.MINOR.PATCH; the operator cannot tell which version runs");
    }
    if (Version.parse(spec.getVersion()).isEmpty()) {
      return blocked(
          "InvalidVersion", "spec.version " + spec.getVersion() + " is not MAJOR.MINOR.PATCH");
    }
    Optional<String> imageRefused = imagePolicy.refusal(spec.getImage(), broker.repository());
    if (imageRefused.isPresent()) {
      return blocked(ImagePolicy.IMAGE_NOT_ALLOWED, imageRefused.get());
    }
    return new Result.Passed(deployment, broker);
  }

  /**
   * The claimant that manages the Deployment: one with a run in flight keeps it (a run is never
   * taken over halfway), else the oldest.
   */
  static Optional<BrokerUpgrade> owner(List<BrokerUpgrade> claimants) {
    Comparator<BrokerUpgrade> oldestFirst =
        Comparator.comparing(
                (BrokerUpgrade bu) -> bu.getMetadata().getCreationTimestamp(),
                Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(bu -> bu.getMetadata().getName());
    Optional<BrokerUpgrade> running =
        claimants.stream().filter(Preflight::runInFlight).min(oldestFirst);
    return running.isPresent() ? running : claimants.stream().min(oldestFirst);
  }

  private static boolean runInFlight(BrokerUpgrade upgrade) {
    return upgrade.getStatus() != null
        && upgrade.getStatus().getRun() != null
        && upgrade.getStatus().getRun().inFlight();
  }

  /**
   * Before the Deployment is patched: a paused Deployment would take the patch and never roll, and
   * the run would time out with a misleading message.
   */
  static Optional<Verdict> deploymentCannotRoll(Deployment deployment) {
    if (Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
      String name = deployment.getMetadata().getName();
      return Optional.of(
          Verdict.blocked(
              "DeploymentPaused",
              "Deployment "
                  + name
                  + " is paused (spec.paused: true), so it would not roll out; resume it"
                  + " (kubectl rollout resume deployment/"
                  + name
                  + ") and the run continues"));
    }
    return Optional.empty();
  }

  /**
   * Before a run starts: a rollout somebody else began is finished first, never run over; a
   * Deployment with unavailable replicas is waited for the same way, since its rollout would start
   * from fewer serving pods than it should.
   */
  static Optional<Verdict> rolloutInProgress(Deployment deployment, RolloutProgress rollout) {
    if (rollout.done()) {
      return Optional.empty();
    }
    return Optional.of(
        Verdict.blocked(
            "RolloutInProgress",
            "Deployment "
                + deployment.getMetadata().getName()
                + " is rolling out already or has replicas unavailable ("
                + rollout.summary()
                + "); the run starts when that rollout is complete and every replica is"
                + " available"));
  }

  /**
   * Why this Deployment cannot upgrade without downtime, if it cannot: the run goes ahead, but
   * people are told.
   */
  static List<String> downtimeRisks(Deployment deployment, BrokerContainer broker) {
    List<String> risks = new ArrayList<>();
    int replicas = Optional.ofNullable(deployment.getSpec().getReplicas()).orElse(1);
    if (replicas < 2) {
      risks.add(
          replicas
              + " replica: while it is replaced no other pod serves (run at least 2 replicas)");
    }
    var strategy = deployment.getSpec().getStrategy();
    if (strategy != null && "Recreate".equals(strategy.getType())) {
      risks.add("strategy Recreate stops every old pod before a new one starts");
    } else if (strategy != null && strategy.getRollingUpdate() != null) {
      int maxUnavailable = unavailable(strategy.getRollingUpdate().getMaxUnavailable(), replicas);
      if (replicas > 0 && maxUnavailable >= replicas) {
        risks.add(
            "rollingUpdate.maxUnavailable "
                + text(strategy.getRollingUpdate().getMaxUnavailable())
                + " allows every pod to be unavailable at once");
      }
    }
    if (broker.container().getReadinessProbe() == null) {
      risks.add(
          "container "
              + broker.name()
              + " has no readiness probe, so new pods get traffic before they can serve");
    }
    return risks;
  }

  /** maxUnavailable as a number of pods: a percentage rounds down, as the controller does it. */
  private static int unavailable(IntOrString value, int replicas) {
    if (value == null) {
      return 0;
    }
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String text = value.getStrVal().strip();
    if (!text.endsWith("%")) {
      return 0;
    }
    double share = Double.parseDouble(text.substring(0, text.length() - 1)) * replicas / 100.0;
    return (int) Math.floor(share);
  }

  private static String text(IntOrString value) {
    return value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
  }

  private static Result blocked(String reason, String message) {
    return new Result.Blocked(Verdict.blocked(reason, message));
  }
}

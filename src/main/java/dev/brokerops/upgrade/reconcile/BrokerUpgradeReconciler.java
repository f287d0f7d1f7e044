package dev.brokerops.upgrade.reconcile;

import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.BY_OWNER;
import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.UPGRADES_BY_DEPLOYMENT;
import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.key;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.jobs.JobNames;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import dev.brokerops.upgrade.logging.UpgradeLogContext;
import dev.brokerops.upgrade.plan.ActionRefusal;
import dev.brokerops.upgrade.plan.Decision;
import dev.brokerops.upgrade.plan.ImagePolicy;
import dev.brokerops.upgrade.plan.MessageRedactor;
import dev.brokerops.upgrade.plan.MidRunDeletion;
import dev.brokerops.upgrade.plan.Notice;
import dev.brokerops.upgrade.plan.StatusConditions;
import dev.brokerops.upgrade.plan.StepPlanner;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes a BrokerUpgrade and its secondaries from the informer caches, asks the {@link
 * StepPlanner} for the next action, carries it out, and writes the status the planner computed (or,
 * when the API server refused the action, the one {@link ActionRefusal} computed) when it differs;
 * once the BrokerUpgrade is deleted, lets a running migration finish.
 */
// Status-only and annotation-only changes must reconcile too: the retry annotation does not bump
// the generation,
// and the planner advances one side effect per pass, continuing on the event of its own status
// patch.
// No periodic reconcile (JOSDK's default is one 10 hours after each): every change reaches the
// operator through its informers, and the one wait with a deadline, a rollout's, schedules its own
// re-check. Each reconcile cancels the previous timer and schedules a new one, and a cancelled
// timer stays queued until its time: after 200 upgrades that was 11,575 timers, 1.4 MB, kept for
// 10 hours (make bench, a heap dump).
@ControllerConfiguration(
    name = "brokerupgrade",
    generationAwareEventProcessing = false,
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 0))
public class BrokerUpgradeReconciler implements Reconciler<BrokerUpgrade>, Cleaner<BrokerUpgrade> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(BrokerUpgradeReconciler.class);
  private static final String RECONCILE_ERROR = "ReconcileError";

  private final Clock clock;
  private final ImagePolicy imagePolicy;
  private final UpgradeMetrics metrics;

  public BrokerUpgradeReconciler(Clock clock, ImagePolicy imagePolicy, UpgradeMetrics metrics) {
    this.clock = clock;
    this.imagePolicy = imagePolicy;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<BrokerUpgrade> reconcile(
      BrokerUpgrade upgrade, Context<BrokerUpgrade> context) {
    // Every line of the pass names the BrokerUpgrade, its run and step (see UpgradeLogContext).
    try (UpgradeLogContext log = UpgradeLogContext.open(upgrade)) {
      return reconcileInContext(upgrade, context, log);
    }
  }

  private UpdateControl<BrokerUpgrade> reconcileInContext(
      BrokerUpgrade upgrade, Context<BrokerUpgrade> context, UpgradeLogContext log) {
    var now = clock.instant();
    Decision planned =
        StepPlanner.plan(ClusterObserver.observe(upgrade, context, now), imagePolicy);
    var jobs =
        (InformerEventSource<Job, BrokerUpgrade>)
            context.eventSourceRetriever().getEventSourceFor(Job.class, ClusterObserver.JOBS);
    Optional<ActionRefusal> refusal =
        new ActionExecutor(
                context.getClient(),
                created ->
                    jobs.handleRecentResourceCreate(ResourceID.fromResource(created), created))
            .execute(upgrade, planned.action());
    refusal.ifPresent(refused -> LOG.warn("{}: {}", id(upgrade), refused.message()));
    Decision outcome =
        refusal.map(refused -> refused.decide(upgrade, planned, now)).orElse(planned);
    log.update(outcome.status());

    BrokerUpgradeStatus before = upgrade.getStatus();
    writeStatus(upgrade, outcome.status(), context);
    metrics.stored(ResourceID.fromResource(upgrade), before, outcome.status());
    // Only after the status is stored: a failed patch (a 409, say) is retried by JOSDK and the
    // pass replans the same transitions; events told before it would be told twice.
    EventRecorder events = new EventRecorder(context.getClient());
    outcome.notices().forEach(notice -> events.record(upgrade, notice, now));

    UpdateControl<BrokerUpgrade> control = UpdateControl.noUpdate();
    outcome.recheckAfter().ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * A deleted BrokerUpgrade runs no further step (JOSDK calls this instead of reconcile once it is
   * marked for deletion) and keeps its finalizer while one of its migration Jobs still runs: a
   * migration killed halfway leaves the database between two schemas. See {@link MidRunDeletion}.
   */
  @Override
  public DeleteControl cleanup(BrokerUpgrade upgrade, Context<BrokerUpgrade> context) {
    try (UpgradeLogContext ignored = UpgradeLogContext.open(upgrade)) {
      return cleanupInContext(upgrade, context);
    }
  }

  private DeleteControl cleanupInContext(BrokerUpgrade upgrade, Context<BrokerUpgrade> context) {
    var now = clock.instant();
    DeletionGuard guard = new DeletionGuard(context.getClient());
    MidRunDeletion.Cleanup cleanup =
        MidRunDeletion.plan(
            upgrade,
            context.getSecondaryResource(Deployment.class),
            guard.jobsOf(upgrade),
            guard.podsOf(upgrade));
    cleanup.orphan().forEach(job -> guard.orphan(upgrade, job));
    cleanup.delete().forEach(guard::delete);
    EventRecorder events = new EventRecorder(context.getClient());
    cleanup.notices().forEach(notice -> events.record(upgrade, notice, now));
    // Kept: the Job informer maps the orphaned Job back here by its annotation, and its end is the
    // event that brings the next call.
    if (cleanup.keepFinalizer()) {
      return DeleteControl.noFinalizerRemoval();
    }
    metrics.forget(ResourceID.fromResource(upgrade));
    return DeleteControl.defaultDelete();
  }

  private static void writeStatus(
      BrokerUpgrade upgrade, BrokerUpgradeStatus status, Context<BrokerUpgrade> context) {
    if (sameStatus(upgrade.getStatus(), status)) {
      return;
    }
    // Patched with optimistic locking and kept in JOSDK's overlay cache, so the next pass plans
    // from this status even before the informer delivers it: without that, a Job event arriving
    // first would replay transitions (duplicate events) from the stale status.
    BrokerUpgrade statusOnly = new BrokerUpgrade();
    statusOnly.setMetadata(
        new ObjectMetaBuilder()
            .withName(upgrade.getMetadata().getName())
            .withNamespace(upgrade.getMetadata().getNamespace())
            .build());
    statusOnly.setStatus(status);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(upgrade, statusOnly, context);
  }

  /**
   * What JOSDK calls when a pass throws (a status patch that keeps failing, an unexpected state):
   * the cause goes to Degraded and one Warning, and once JOSDK's retries are spent the operator
   * keeps trying every 5 minutes instead of falling silent.
   */
  @Override
  public ErrorStatusUpdateControl<BrokerUpgrade> updateErrorStatus(
      BrokerUpgrade upgrade, Context<BrokerUpgrade> context, Exception e) {
    try (UpgradeLogContext ignored = UpgradeLogContext.open(upgrade)) {
      return updateErrorStatusInContext(upgrade, context, e);
    }
  }

  private ErrorStatusUpdateControl<BrokerUpgrade> updateErrorStatusInContext(
      BrokerUpgrade upgrade, Context<BrokerUpgrade> context, Exception e) {
    Instant now = clock.instant();
    String message =
        "the operator could not reconcile ("
            + e.getClass().getSimpleName()
            + "): "
            + MessageRedactor.redact(String.valueOf(e.getMessage()))
            + "; it retries, up to every 5 minutes";
    LOG.warn("{}: {}", id(upgrade), message);
    BrokerUpgradeStatus status =
        upgrade.getStatus() == null ? new BrokerUpgradeStatus() : upgrade.getStatus();
    boolean news =
        StatusConditions.newlyTrue(
            status.getConditions(), StatusConditions.DEGRADED, RECONCILE_ERROR, message);
    long generation = Optional.ofNullable(upgrade.getMetadata().getGeneration()).orElse(0L);
    status.setConditions(
        StatusConditions.set(
            status.getConditions(),
            StatusConditions.condition(
                StatusConditions.DEGRADED, true, RECONCILE_ERROR, message, generation),
            now));
    upgrade.setStatus(status);
    if (news) {
      new EventRecorder(context.getClient())
          .record(upgrade, Notice.warning(RECONCILE_ERROR, message), now);
    }
    boolean retriesSpent = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
    ErrorStatusUpdateControl<BrokerUpgrade> control = ErrorStatusUpdateControl.patchStatus(upgrade);
    return retriesSpent ? control.withNoRetry().rescheduleAfter(ActionRefusal.MAX_RETRY) : control;
  }

  private static String id(BrokerUpgrade upgrade) {
    return "brokerupgrade="
        + upgrade.getMetadata().getNamespace()
        + "/"
        + upgrade.getMetadata().getName();
  }

  @Override
  public List<EventSource<?, BrokerUpgrade>> prepareEventSources(
      EventSourceContext<BrokerUpgrade> context) {
    var upgrades = context.getPrimaryCache();
    upgrades.addIndexer(UPGRADES_BY_DEPLOYMENT, SecondaryIndexes::deploymentKey);

    var jobs =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, BrokerUpgrade.class)
                .withItemStore(CachePruning.jobsWithOnlyTheirImages())
                .withName(ClusterObserver.JOBS)
                .withLabelSelector(
                    JobSpecFactory.LABEL_MANAGED_BY + "=" + JobSpecFactory.MANAGED_BY)
                .withSecondaryToPrimaryMapper(job -> upgradesOfJob(job, upgrades))
                .build(),
            context);

    // The Deployment is named in the spec: found by name, mapped back through the index (all
    // claimants hear it).
    var deployments =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Deployment.class, BrokerUpgrade.class)
                .withName("deployments")
                .withPrimaryToSecondaryMapper(
                    (BrokerUpgrade upgrade) ->
                        Set.of(
                            new ResourceID(
                                upgrade.getSpec().getDeployment(),
                                upgrade.getMetadata().getNamespace())))
                .withSecondaryToPrimaryMapper(
                    deployment ->
                        SecondaryIndexes.ids(
                            upgrades.byIndex(
                                UPGRADES_BY_DEPLOYMENT,
                                key(
                                    deployment.getMetadata().getNamespace(),
                                    deployment.getMetadata().getName()))))
                .build(),
            context);

    var replicaSets =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ReplicaSet.class, BrokerUpgrade.class)
                .withName(ClusterObserver.REPLICA_SETS)
                .withSecondaryToPrimaryMapper(
                    rs ->
                        SecondaryIndexes.ownerName(rs, "Deployment")
                            .map(
                                deployment ->
                                    SecondaryIndexes.ids(
                                        upgrades.byIndex(
                                            UPGRADES_BY_DEPLOYMENT,
                                            key(rs.getMetadata().getNamespace(), deployment))))
                            .orElse(Set.of()))
                .build(),
            context);
    replicaSets.addIndexers(Map.of(BY_OWNER, SecondaryIndexes::ownerKeys));

    // Pods of our Jobs (to see image-pull and config errors and read termination messages), by the
    // label every migration Job's pod template carries.
    var jobPods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, BrokerUpgrade.class)
                .withItemStore(CachePruning.jobPodsWithoutLabels())
                .withName(ClusterObserver.JOB_PODS)
                .withLabelSelector(
                    JobSpecFactory.LABEL_MANAGED_BY + "=" + JobSpecFactory.MANAGED_BY)
                .withSecondaryToPrimaryMapper(pod -> upgradesOfJobPod(pod, jobs))
                .build(),
            context);
    jobPods.addIndexers(Map.of(BY_OWNER, SecondaryIndexes::ownerKeys));

    // Pods of the broker's ReplicaSets (an old pod, terminating or not, keeps a rollout from being
    // done): a Deployment's pods all carry pod-template-hash, bare pods and Jobs' pods do not.
    var deploymentPods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, BrokerUpgrade.class)
                .withName(ClusterObserver.DEPLOYMENT_PODS)
                .withLabelSelector(SecondaryIndexes.POD_TEMPLATE_HASH)
                .withSecondaryToPrimaryMapper(pod -> upgradesOfDeploymentPod(pod, upgrades))
                .build(),
            context);
    deploymentPods.addIndexers(
        Map.of(SecondaryIndexes.PODS_BY_DEPLOYMENT, SecondaryIndexes::deploymentKeys));

    // BrokerUpgrades as secondaries of each other: when the owner of a Deployment is deleted or
    // renamed away,
    // the refused claimants hear of it and one of them takes over.
    var claimants =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(BrokerUpgrade.class, BrokerUpgrade.class)
                .withName("claimants")
                .withItemStore(CachePruning.claimantsWithoutStatus())
                .withSecondaryToPrimaryMapper(
                    changed -> {
                      Set<ResourceID> others =
                          new HashSet<>(
                              SecondaryIndexes.ids(
                                  upgrades.byIndex(
                                      UPGRADES_BY_DEPLOYMENT,
                                      key(
                                          changed.getMetadata().getNamespace(),
                                          changed.getSpec().getDeployment()))));
                      others.remove(ResourceID.fromResource(changed));
                      return others;
                    })
                .build(),
            context);

    return List.of(jobs, deployments, replicaSets, jobPods, deploymentPods, claimants);
  }

  /**
   * Who hears of a Job: its owner; the BrokerUpgrade its labels or name were made for (an orphaned
   * Job, or somebody's Job under a step's name, which blocks that step until it is gone); and every
   * claimant of the Deployment it migrates (waiting for it to finish before starting one).
   */
  private static Set<ResourceID> upgradesOfJob(
      Job job,
      io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<BrokerUpgrade>
          upgrades) {
    String namespace = job.getMetadata().getNamespace();
    Set<ResourceID> result = new HashSet<>();
    // by owner, or by the annotation a deletion leaves on the Job it orphaned
    MidRunDeletion.upgradeNames(job).forEach(name -> result.add(new ResourceID(name, namespace)));
    Map<String, String> labels =
        Optional.ofNullable(job.getMetadata().getLabels()).orElse(Map.of());
    Optional.ofNullable(labels.get(JobSpecFactory.LABEL_UPGRADE))
        .ifPresent(name -> result.add(new ResourceID(name, namespace)));
    JobNames.upgradeNameOf(job.getMetadata().getName())
        .ifPresent(name -> result.add(new ResourceID(name, namespace)));
    Optional.ofNullable(labels.get(JobSpecFactory.LABEL_DEPLOYMENT))
        .ifPresent(
            deployment ->
                result.addAll(
                    SecondaryIndexes.ids(
                        upgrades.byIndex(UPGRADES_BY_DEPLOYMENT, key(namespace, deployment)))));
    return result;
  }

  private static Set<ResourceID> upgradesOfJobPod(
      Pod pod, InformerEventSource<Job, BrokerUpgrade> jobs) {
    String namespace = pod.getMetadata().getNamespace();
    return SecondaryIndexes.ownerName(pod, "Job")
        .flatMap(job -> jobs.get(new ResourceID(job, namespace)))
        .flatMap(job -> SecondaryIndexes.ownerName(job, BrokerUpgrade.class.getSimpleName()))
        .map(upgrade -> Set.of(new ResourceID(upgrade, namespace)))
        .orElse(Set.of());
  }

  /** From the pod alone, so the last old pod of a deleted ReplicaSet still wakes its upgrade. */
  private static Set<ResourceID> upgradesOfDeploymentPod(
      Pod pod,
      io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<BrokerUpgrade>
          upgrades) {
    String namespace = pod.getMetadata().getNamespace();
    return SecondaryIndexes.deploymentOf(pod)
        .map(
            deployment ->
                SecondaryIndexes.ids(
                    upgrades.byIndex(UPGRADES_BY_DEPLOYMENT, key(namespace, deployment))))
        .orElse(Set.of());
  }

  /** Compares as JSON: what the API server would store is what matters, not object identity. */
  static boolean sameStatus(BrokerUpgradeStatus before, BrokerUpgradeStatus after) {
    return Objects.equals(
        JSON.valueToTree(Optional.ofNullable(before).orElseGet(BrokerUpgradeStatus::new)),
        JSON.valueToTree(after));
  }
}

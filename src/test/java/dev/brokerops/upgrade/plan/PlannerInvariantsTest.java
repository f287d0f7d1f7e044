package dev.brokerops.upgrade.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.FailurePolicy;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * PROCEDURE.md's rules, checked after every planner pass over random starting clusters and random
 * orders of cluster events, operator crashes and lost status patches.
 */
class PlannerInvariantsTest {

  /** Versions the spec may name; the list is also what availableVersions holds when it is set. */
  static final List<String> VERSIONS = List.of("1.14.0", "1.17.3", "2.0.0", "2.1.0", "2.2.0");

  private static final String OURS = "pactflow";
  private static final int MAX_EVENTS = 60;

  /** Passes after the last event while every Job completes and every rollout settles. */
  private static final int CALM_ROUNDS = 16;

  @Property(tries = 1000)
  void everyPassKeepsTheRules(@ForAll("anyEventOrder") Scenario scenario) {
    run(scenario);
  }

  @Property(tries = 500)
  void crashesDuplicateReconcilesAndLostStatusPatchesKeepTheRules(
      @ForAll("crashesAndLostPatches") Scenario scenario) {
    run(scenario);
  }

  @Property(tries = 500)
  void rivalsForTheDeploymentKeepTheRules(@ForAll("rivals") Scenario scenario) {
    run(scenario);
  }

  @Property(tries = 500)
  void aSpecThatKeepsChangingKeepsTheRules(@ForAll("specChurn") Scenario scenario) {
    run(scenario);
  }

  /**
   * Found by reading the rules against CompletionEvidence, too deep for random event orders to hit:
   * an earlier run that reached 2.1.0 must not vouch for a later rollout to 2.1.0 that failed.
   */
  @Example
  void aFailedRolloutToAVersionReachedBeforeIsStillFinishedBeforeReady() {
    Start start = new Start("2.0.0", "2.1.0", FailurePolicy.Halt, true, true, false, false, false);
    replay(
        new Scenario(
            start,
            List.of(
                new Event(Kind.ALL_GOES_WELL, 4), // r1 upgrades to 2.1.0
                new Event(Kind.VERSION_EDIT, 2), // 2.0.0
                new Event(Kind.ALL_GOES_WELL, 4), // r2 rolls back to 2.0.0
                new Event(Kind.VERSION_EDIT, 3), // 2.1.0 again
                new Event(Kind.ALL_GOES_WELL, 1), // r3 migrates the schema
                new Event(Kind.RECONCILE, 0), // and patches the Deployment
                new Event(Kind.CLOCK_PASSES_ROLLOUT_TIMEOUT, 0),
                new Event(Kind.VERSION_EDIT, 4), // 2.2.0: r3 fails (RolloutTimeout), r4 starts
                new Event(Kind.RECONCILE, 0),
                new Event(Kind.JOB_FAILS, 0), // r4 fails before touching the Deployment
                new Event(Kind.ROLLOUT_SETTLES, 0), // the 2.1.0 pods come up at last
                new Event(Kind.VERSION_EDIT, 3), // back to 2.1.0
                new Event(Kind.RECONCILE, 0))));
  }

  /** The same through a hop: r3 rolls 1.17.3 out on its way to 2.1.0 and fails there. */
  @Example
  void aFailedRolloutOfAHopReachedBeforeIsStillFinishedBeforeReady() {
    Start start =
        new Start("1.14.0", "1.17.3", FailurePolicy.Halt, true, true, false, false, false);
    replay(
        new Scenario(
            start,
            List.of(
                new Event(Kind.ALL_GOES_WELL, 4), // r1 upgrades to 1.17.3
                new Event(Kind.VERSION_EDIT, 0), // 1.14.0
                new Event(Kind.ALL_GOES_WELL, 4), // r2 rolls back to 1.14.0
                new Event(Kind.VERSION_EDIT, 3), // 2.1.0, by way of 1.17.3
                new Event(Kind.ALL_GOES_WELL, 1), // r3 migrates the schema of 1.17.3
                new Event(Kind.RECONCILE, 0), // and patches the Deployment to 1.17.3
                new Event(Kind.CLOCK_PASSES_ROLLOUT_TIMEOUT, 0),
                new Event(Kind.VERSION_EDIT, 4), // 2.2.0: r3 fails (RolloutTimeout), r4 starts
                new Event(Kind.RECONCILE, 0),
                new Event(Kind.JOB_FAILS, 0), // r4 fails before touching the Deployment
                new Event(Kind.ROLLOUT_SETTLES, 0), // the 1.17.3 pods come up at last
                new Event(Kind.VERSION_EDIT, 1), // 1.17.3
                new Event(Kind.RECONCILE, 0))));
  }

  private static void run(Scenario scenario) {
    scenario.events().forEach(event -> Statistics.label("event").collect(event.kind()));
    Simulation simulation = replay(scenario);
    BrokerUpgradeStatus last = simulation.cluster.upgrade.getStatus();
    Statistics.label("final phase")
        .collect(
            last.getPhase() == Phase.Blocked
                ? "Blocked: "
                    + StatusConditions.find(last.getConditions(), StatusConditions.DEGRADED)
                        .map(condition -> condition.getReason())
                        .orElse("?")
                : last.getPhase().name());
    Statistics.label("rule 1: Deployment patched in the try")
        .collect(simulation.rolloutPatches > 0);
    Statistics.label("rule 2: Ready=True or Succeeded seen").collect(simulation.readySeen);
    Statistics.label("rules 3, 4: Jobs created in the try")
        .collect(
            simulation.jobsCreated == 0 ? "0" : simulation.jobsCreated <= 4 ? "1-4" : "5 or more");
  }

  private static Simulation replay(Scenario scenario) {
    Simulation simulation = new Simulation(scenario.start());
    scenario.events().forEach(simulation::apply);
    simulation.calmDown();
    return simulation;
  }

  // ---- What is generated ----

  /** Something that happens between (or as) planner passes. */
  enum Kind {
    RECONCILE,
    DUPLICATE_RECONCILE,
    OPERATOR_RESTART,
    STATUS_PATCH_LOST,
    JOB_COMPLETES,
    JOB_FAILS,
    JOB_POD_IMAGE_PULL_BACK_OFF,
    JOB_POD_ERR_IMAGE_PULL,
    JOB_VANISHES,
    JOB_PODS_GONE,
    ROLLOUT_NEW_PODS_UNAVAILABLE,
    ROLLOUT_OLD_PODS_TERMINATING,
    ROLLOUT_SETTLES,
    ROLLOUT_DEADLINE_EXCEEDED,
    POD_UNAVAILABLE,
    CLOCK_TICKS,
    CLOCK_PASSES_ROLLOUT_TIMEOUT,
    RETRY_ANNOTATION,
    VERSION_EDIT,
    ON_FAILURE_HALT,
    ON_FAILURE_ROLLBACK,
    OLDER_CLAIMANT,
    CLAIMANT_WITH_RUN_IN_FLIGHT,
    CLAIMANTS_LEAVE,
    FOREIGN_MIGRATION_JOB,
    /** A stretch without faults: passes while every Job completes and every rollout settles. */
    ALL_GOES_WELL
  }

  /**
   * One event; {@code pick} chooses among what it could act on (which Job, which version), so a
   * shrunk counterexample stays readable.
   */
  record Event(Kind kind, int pick) {
    @Override
    public String toString() {
      return kind + "#" + pick;
    }
  }

  /**
   * The cluster before the first pass.
   *
   * @param autoMigrateOff the Deployment already has auto-migrate off with no record of why (a
   *     BrokerUpgrade was deleted mid-run and created again)
   * @param foreignRolloutInProgress somebody else's change to the Deployment is rolling out
   * @param predecessorJobsLeft Jobs named like ours, left by a deleted BrokerUpgrade of our name
   */
  record Start(
      String running,
      String target,
      FailurePolicy onFailure,
      boolean allowDowngrade,
      boolean versionsListed,
      boolean autoMigrateOff,
      boolean foreignRolloutInProgress,
      boolean predecessorJobsLeft) {}

  record Scenario(Start start, List<Event> events) {}

  private static final Map<Kind, Integer> EVERYDAY_MIX = everydayMix();

  private static Map<Kind, Integer> everydayMix() {
    Map<Kind, Integer> weights = new EnumMap<>(Kind.class);
    weights.put(Kind.RECONCILE, 30);
    weights.put(Kind.DUPLICATE_RECONCILE, 3);
    weights.put(Kind.OPERATOR_RESTART, 3);
    weights.put(Kind.STATUS_PATCH_LOST, 3);
    weights.put(Kind.JOB_COMPLETES, 18);
    weights.put(Kind.JOB_FAILS, 2);
    weights.put(Kind.JOB_POD_IMAGE_PULL_BACK_OFF, 2);
    weights.put(Kind.JOB_POD_ERR_IMAGE_PULL, 2);
    weights.put(Kind.JOB_VANISHES, 1);
    weights.put(Kind.JOB_PODS_GONE, 2);
    weights.put(Kind.ROLLOUT_NEW_PODS_UNAVAILABLE, 3);
    weights.put(Kind.ROLLOUT_OLD_PODS_TERMINATING, 3);
    weights.put(Kind.ROLLOUT_SETTLES, 10);
    weights.put(Kind.ROLLOUT_DEADLINE_EXCEEDED, 1);
    weights.put(Kind.POD_UNAVAILABLE, 1);
    weights.put(Kind.CLOCK_TICKS, 2);
    weights.put(Kind.CLOCK_PASSES_ROLLOUT_TIMEOUT, 1);
    weights.put(Kind.RETRY_ANNOTATION, 2);
    weights.put(Kind.VERSION_EDIT, 2);
    weights.put(Kind.ON_FAILURE_HALT, 1);
    weights.put(Kind.ON_FAILURE_ROLLBACK, 1);
    weights.put(Kind.OLDER_CLAIMANT, 1);
    weights.put(Kind.CLAIMANT_WITH_RUN_IN_FLIGHT, 1);
    weights.put(Kind.CLAIMANTS_LEAVE, 1);
    weights.put(Kind.FOREIGN_MIGRATION_JOB, 1);
    weights.put(Kind.ALL_GOES_WELL, 3);
    return weights;
  }

  private static Map<Kind, Integer> mixWith(Map<Kind, Integer> more) {
    Map<Kind, Integer> weights = new EnumMap<>(EVERYDAY_MIX);
    weights.putAll(more);
    return weights;
  }

  @Provide
  Arbitrary<Scenario> anyEventOrder() {
    return scenarios(EVERYDAY_MIX);
  }

  @Provide
  Arbitrary<Scenario> crashesAndLostPatches() {
    return scenarios(
        mixWith(
            Map.of(
                Kind.DUPLICATE_RECONCILE, 10,
                Kind.OPERATOR_RESTART, 10,
                Kind.STATUS_PATCH_LOST, 15,
                Kind.JOB_VANISHES, 3,
                Kind.JOB_PODS_GONE, 4)));
  }

  @Provide
  Arbitrary<Scenario> rivals() {
    return scenarios(
        mixWith(
            Map.of(
                Kind.OLDER_CLAIMANT, 5,
                Kind.CLAIMANT_WITH_RUN_IN_FLIGHT, 5,
                Kind.CLAIMANTS_LEAVE, 6,
                Kind.FOREIGN_MIGRATION_JOB, 8)));
  }

  @Provide
  Arbitrary<Scenario> specChurn() {
    return scenarios(
        mixWith(
            Map.of(
                Kind.ALL_GOES_WELL, 12,
                Kind.VERSION_EDIT, 10,
                Kind.RETRY_ANNOTATION, 5,
                Kind.ON_FAILURE_HALT, 4,
                Kind.ON_FAILURE_ROLLBACK, 4,
                Kind.ROLLOUT_NEW_PODS_UNAVAILABLE, 6,
                Kind.CLOCK_PASSES_ROLLOUT_TIMEOUT, 5,
                Kind.JOB_FAILS, 4)));
  }

  private static Arbitrary<Scenario> scenarios(Map<Kind, Integer> weights) {
    @SuppressWarnings("unchecked")
    Tuple.Tuple2<Integer, Kind>[] frequencies =
        weights.entrySet().stream()
            .map(entry -> Tuple.of(entry.getValue(), entry.getKey()))
            .toArray(Tuple.Tuple2[]::new);
    Arbitrary<Event> event =
        Combinators.combine(
                Arbitraries.frequency(frequencies), Arbitraries.integers().between(0, 9))
            .as(Event::new);
    return Combinators.combine(starts(), event.list().ofMaxSize(MAX_EVENTS)).as(Scenario::new);
  }

  private static Arbitrary<Start> starts() {
    Arbitrary<Boolean> rarely = Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true));
    return Arbitraries.of("1.14.0", "1.17.3", "2.0.0", "2.1.0")
        .flatMap(
            running ->
                Combinators.combine(
                        targets(running),
                        Arbitraries.of(FailurePolicy.class),
                        Arbitraries.of(false, true),
                        Arbitraries.frequency(Tuple.of(1, false), Tuple.of(4, true)),
                        rarely,
                        rarely,
                        rarely)
                    .as(
                        (target,
                            onFailure,
                            allowDowngrade,
                            versionsListed,
                            autoMigrateOff,
                            foreignRollout,
                            predecessorJobs) ->
                            new Start(
                                running,
                                target,
                                onFailure,
                                allowDowngrade,
                                versionsListed,
                                autoMigrateOff,
                                foreignRollout,
                                predecessorJobs)));
  }

  /** Mostly an upgrade, so that most tries get far into a run; sometimes any version. */
  private static Arbitrary<String> targets(String running) {
    List<String> higher =
        VERSIONS.stream()
            .filter(version -> Version.of(version).compareTo(Version.of(running)) > 0)
            .toList();
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(higher)), Tuple.of(1, Arbitraries.of(VERSIONS)));
  }

  // ---- The simulation and the rules ----

  /**
   * An {@link ObservedCluster} driven by events, with what the test knows besides what the planner
   * sees: every Job the planner created, which Jobs really completed, the Deployment's template
   * when each run started, every run as last persisted, and whether the data was migrated after the
   * last rollout.
   */
  static final class Simulation {

    private static final ObjectMapper JSON = new ObjectMapper();

    final ObservedCluster cluster;
    private final String initialVersion;
    private final Set<String> jobsWeCreated = new HashSet<>();
    private final Set<String> completedJobs = new HashSet<>();
    private final Set<String> completedSchemaHops = new HashSet<>();
    private final Map<String, String> templateWhenRunStarted = new HashMap<>();
    private final Map<String, RunStatus> persistedRuns = new HashMap<>();

    /** DataMigration Jobs created once the rollout to their own image had left no older pod. */
    private final Set<String> dataJobsOnRolledOutTemplate = new HashSet<>();

    /** The last change to the template came from an upgrade run, with auto-migrate off. */
    private boolean upgradeRolledTheTemplate;

    private boolean dataMigratedSinceTheRollout = true;
    private int retries;
    private int passes;
    int rolloutPatches;
    int jobsCreated;
    boolean readySeen;

    Simulation(Start start) {
      initialVersion = start.running();
      cluster =
          ObservedCluster.running(start.running(), start.target())
              .with(
                  spec -> {
                    spec.setOnFailure(start.onFailure());
                    spec.setAllowDowngrade(start.allowDowngrade());
                    if (start.versionsListed()) {
                      spec.getVersionPolicy().setAvailableVersions(VERSIONS);
                    }
                  });
      if (start.autoMigrateOff()) {
        changeTemplate("PACTFLOW_DATABASE_AUTO_MIGRATE", "false");
        cluster.settleRollout();
      }
      if (start.foreignRolloutInProgress()) {
        changeTemplate("FEATURE_FLAGS", "beta");
        cluster.rolloutInProgress(2);
      }
      if (start.predecessorJobsLeft()) {
        cluster.jobs.add(predecessorJob("pactflow-r1-1-dbversion", StepName.RecordDatabaseVersion));
        cluster.jobs.add(predecessorJob("pactflow-r1-2-schema", StepName.SchemaMigration));
      }
    }

    void apply(Event event) {
      int pick = event.pick();
      switch (event.kind()) {
        case RECONCILE -> pass(true);
        case DUPLICATE_RECONCILE -> {
          pass(true);
          pass(true);
        }
        case OPERATOR_RESTART -> {
          // A restarted operator knows only what the API server returns: status as JSON.
          cluster.upgrade.setStatus(roundTrip(cluster.upgrade.getStatus()));
          pass(true);
        }
        case STATUS_PATCH_LOST -> {
          pass(false);
          pass(true);
        }
        case JOB_COMPLETES ->
            pick(cluster.unfinishedJobs(), pick).ifPresent(job -> complete(job, pick));
        case JOB_FAILS ->
            pick(cluster.unfinishedJobs(), pick)
                .ifPresent(job -> cluster.failJob(job, 1, "db-migrate: relation already exists"));
        case JOB_POD_IMAGE_PULL_BACK_OFF ->
            pick(cluster.unfinishedJobs(), pick)
                .ifPresent(job -> cluster.podWaiting(job, "ImagePullBackOff"));
        case JOB_POD_ERR_IMAGE_PULL ->
            pick(cluster.unfinishedJobs(), pick)
                .ifPresent(job -> cluster.podWaiting(job, "ErrImagePull"));
        case JOB_VANISHES ->
            pick(cluster.jobs, pick).ifPresent(job -> cluster.removeJob(name(job)));
        case JOB_PODS_GONE ->
            pick(jobsWithPods(), pick).ifPresent(job -> cluster.removeJobPods(name(job)));
        case ROLLOUT_NEW_PODS_UNAVAILABLE -> {
          if (cluster.rolloutPending()) {
            cluster.newPodsUnavailable();
          }
        }
        case ROLLOUT_OLD_PODS_TERMINATING -> {
          if (cluster.rolloutPending()) {
            cluster.rolloutInProgress(1 + pick % 3);
          }
        }
        case ROLLOUT_SETTLES -> cluster.settleRollout();
        case ROLLOUT_DEADLINE_EXCEEDED -> {
          if (cluster.rolloutPending()) {
            cluster.progressDeadlineExceeded();
          }
        }
        case POD_UNAVAILABLE -> {
          if (!cluster.rolloutPending()) {
            cluster.podUnavailable();
          }
        }
        case CLOCK_TICKS -> cluster.advanceClock(Duration.ofSeconds(1 + pick * 13L));
        case CLOCK_PASSES_ROLLOUT_TIMEOUT ->
            cluster.advanceClock(
                Duration.ofSeconds(cluster.upgrade.getSpec().getRollout().getTimeoutSeconds() + 1));
        case RETRY_ANNOTATION -> {
          // Annotations do not bump metadata.generation.
          Map<String, String> annotations =
              new HashMap<>(
                  Optional.ofNullable(cluster.upgrade.getMetadata().getAnnotations())
                      .orElse(Map.of()));
          annotations.put(BrokerUpgrade.RETRY_ANNOTATION, String.valueOf(++retries));
          cluster.upgrade.getMetadata().setAnnotations(annotations);
        }
        case VERSION_EDIT -> {
          String version = VERSIONS.get(pick % VERSIONS.size());
          // The API server bumps the generation only when the spec really changes.
          if (!version.equals(cluster.upgrade.getSpec().getVersion())) {
            cluster.edit(spec -> spec.setVersion(version));
          }
        }
        case ON_FAILURE_HALT -> setOnFailure(FailurePolicy.Halt);
        case ON_FAILURE_ROLLBACK -> setOnFailure(FailurePolicy.Rollback);
        case OLDER_CLAIMANT -> addClaimant("elder", "2026-01-01T08:00:00Z", false);
        case CLAIMANT_WITH_RUN_IN_FLIGHT -> addClaimant("rival", "2026-01-01T09:30:00Z", true);
        case CLAIMANTS_LEAVE -> cluster.others.clear();
        case ALL_GOES_WELL -> goWell(1 + pick);
        case FOREIGN_MIGRATION_JOB -> {
          String name = "other-r" + pick + "-4-data";
          if (cluster.jobs.stream().noneMatch(job -> name(job).equals(name))) {
            // Odd picks migrate another Deployment's database: no reason to wait for them.
            cluster.jobs.add(foreignJob(name, pick % 2 == 0 ? OURS : "billing"));
          }
        }
      }
    }

    /** No more faults: every Job completes and every rollout settles between passes. */
    void calmDown() {
      goWell(CALM_ROUNDS);
      pass(true);
    }

    private void goWell(int rounds) {
      for (int round = 0; round < rounds; round++) {
        pass(true);
        for (Job job : cluster.unfinishedJobs()) {
          complete(job, 0);
        }
        if (!cluster.rolledOut()) {
          cluster.settleRollout();
        }
      }
    }

    /**
     * One planner pass: the rules are checked on the observation it saw and the decision it made,
     * then its action is applied; its status is kept unless the patch is lost.
     */
    private void pass(boolean statusPersisted) {
      Decision decision = cluster.plan();
      passes++;
      RunStatus run = decision.status().getRun();
      if (run != null) {
        templateWhenRunStarted.putIfAbsent(run.getId(), cluster.templateTag());
      }
      checkRolloutFollowsSchemaMigration(decision);
      checkReadyMeansDone(decision);
      checkOneJobAtATimeAndNoJobTwice(decision);
      if (statusPersisted) {
        cluster.upgrade.setStatus(decision.status());
        remember(decision.status());
      }
      applyAction(decision);
    }

    /**
     * Keeps every run as last persisted. A run that ended in the pass that started the next is only
     * in history: its summary says how it ended; a run succeeds only once every step has, and fails
     * at the step it was on.
     */
    private void remember(BrokerUpgradeStatus status) {
      for (var summary : status.getHistory()) {
        RunStatus known = persistedRuns.get(summary.getId());
        if (known != null && known.inFlight()) {
          known.setResult(summary.getResult());
          known.setFinishedAt(summary.getFinishedAt());
          if (summary.getResult() == RunResult.Succeeded) {
            known.getSteps().forEach(step -> step.setState(StepState.Succeeded));
          } else {
            known.currentStep().ifPresent(step -> step.setState(StepState.Failed));
          }
        }
      }
      if (status.getRun() != null) {
        persistedRuns.put(status.getRun().getId(), roundTripRun(status.getRun()));
      }
    }

    private void applyAction(Decision decision) {
      Action action = decision.action();
      if (action instanceof Action.CreateJob create) {
        Job job = create.job();
        jobsCreated++;
        jobsWeCreated.add(name(job));
        // What matters is that no pod of an older template is left to write the old way; a new
        // pod that is briefly unavailable writes nothing old.
        if (StepName.DataMigration.name().equals(label(job, JobSpecFactory.LABEL_STEP))
            && !cluster.rolloutPending()
            && image(job).equals(templateImage())) {
          dataJobsOnRolledOutTemplate.add(name(job));
        }
      } else if (action instanceof Action.RolloutDeployment) {
        rolloutPatches++;
        upgradeRolledTheTemplate = decision.status().getRun().getType() == RunType.Upgrade;
        dataMigratedSinceTheRollout = false;
        dataJobsOnRolledOutTemplate.clear();
      }
      cluster.apply(action);
    }

    // ---- Rule 1: the Deployment is not touched before the schema migration succeeded ----

    private void checkRolloutFollowsSchemaMigration(Decision decision) {
      if (!(decision.action() instanceof Action.RolloutDeployment patch)) {
        return;
      }
      RunStatus run = decision.status().getRun();
      require(
          run != null && run.inFlight(), () -> "rule 1: Deployment patched with no run in flight");
      StepStatus rollout = run.currentStep().orElse(null);
      require(
          rollout != null
              && rollout.getName() == StepName.Rollout
              && rollout.getImage().equals(patch.image()),
          () ->
              "rule 1: Deployment patched to "
                  + patch.image()
                  + " outside a Rollout step: "
                  + steps(run));
      if (run.getType() != RunType.Upgrade) {
        return;
      }
      String hop = rollout.getHop();
      int at = run.getSteps().indexOf(rollout);
      boolean schemaMigratedInThisRun =
          run.getSteps().subList(0, at).stream()
              .anyMatch(
                  step ->
                      step.getName() == StepName.SchemaMigration
                          && hop.equals(step.getHop())
                          && step.getState() == StepState.Succeeded
                          && completedJobs.contains(step.getJob()));
      // A completion run (Preflight, Rollout, DataMigration of the version the Deployment already
      // names) resumes a run whose schema migration of that version had succeeded.
      boolean completionRun =
          at == 1
              && run.getSteps().size() >= 3
              && run.getSteps().get(2).getName() == StepName.DataMigration
              && hop.equals(run.getSteps().get(2).getHop())
              && hop.equals(templateWhenRunStarted.get(run.getId()))
              && (hop.equals(initialVersion) || completedSchemaHops.contains(hop));
      require(
          schemaMigratedInThisRun || completionRun,
          () ->
              "rule 1: Deployment patched to "
                  + patch.image()
                  + " before the schema migration of "
                  + hop
                  + " succeeded in run "
                  + run.getId()
                  + ": "
                  + steps(run));
    }

    // ---- Rule 2: Succeeded and Ready=True mean done ----

    private void checkReadyMeansDone(Decision decision) {
      BrokerUpgradeStatus status = decision.status();
      String target = cluster.upgrade.getSpec().getVersion();
      boolean ready =
          StatusConditions.find(status.getConditions(), StatusConditions.READY)
              .map(condition -> "True".equals(condition.getStatus()))
              .orElse(false);
      boolean succeeded = status.getPhase() == Phase.Succeeded;
      if (!ready && !succeeded) {
        return;
      }
      readySeen = true;
      Optional<RunStatus> lastToTarget = lastRolloutTo(target, status.getRun());
      if (succeeded) {
        RunStatus last = status.getRun();
        require(
            last != null
                && last.getResult() == RunResult.Succeeded
                && target.equals(last.getTo())
                && (last.getType() != RunType.Upgrade || dataMigratedAfterRollout(last, target)),
            () ->
                "rule 2: phase Succeeded but the last run has no DataMigration after its Rollout: "
                    + describe(last));
      }
      lastToTarget.ifPresent(
          run ->
              require(
                  run.getType() == RunType.Upgrade
                      ? dataMigratedAfterRollout(run, target)
                      : rolloutSucceeded(run, target),
                  () ->
                      "rule 2: "
                          + (succeeded ? "phase Succeeded" : "Ready=True")
                          + " but the last run that rolled out "
                          + target
                          + " did not finish it: "
                          + describe(run)));
      if (ready) {
        require(
            cluster.rolledOut(), () -> "rule 2: Ready=True while the Deployment is not rolled out");
        require(
            cluster.templateTag().equals(target),
            () ->
                "rule 2: Ready=True while the Deployment's template names "
                    + cluster.templateTag()
                    + ", not "
                    + target);
        require(
            !upgradeRolledTheTemplate || dataMigratedSinceTheRollout,
            () ->
                "rule 2: Ready=True but no DataMigration Job completed after the rollout to "
                    + cluster.templateTag());
      }
    }

    /**
     * The newest run that started rolling the Deployment out to this version, the one being decided
     * included; a run that never got to its rollout left nothing to finish.
     */
    private Optional<RunStatus> lastRolloutTo(String version, RunStatus deciding) {
      Map<String, RunStatus> runs = new HashMap<>(persistedRuns);
      if (deciding != null) {
        runs.put(deciding.getId(), deciding);
      }
      return runs.values().stream()
          .filter(
              run ->
                  run.getSteps().stream()
                      .anyMatch(
                          step ->
                              step.getName() == StepName.Rollout
                                  && version.equals(step.getHop())
                                  && step.getState() != StepState.Pending))
          .max(
              (a, b) ->
                  Integer.compare(
                      Integer.parseInt(a.getId().substring(1)),
                      Integer.parseInt(b.getId().substring(1))));
    }

    private static boolean rolloutSucceeded(RunStatus run, String hop) {
      return run.getSteps().stream()
          .anyMatch(
              step ->
                  step.getName() == StepName.Rollout
                      && hop.equals(step.getHop())
                      && step.getState() == StepState.Succeeded);
    }

    private boolean dataMigratedAfterRollout(RunStatus run, String hop) {
      List<StepStatus> steps = run.getSteps();
      for (int rollout = 0; rollout < steps.size(); rollout++) {
        StepStatus candidate = steps.get(rollout);
        if (candidate.getName() == StepName.Rollout
            && hop.equals(candidate.getHop())
            && candidate.getState() == StepState.Succeeded) {
          for (StepStatus later : steps.subList(rollout + 1, steps.size())) {
            if (later.getName() == StepName.DataMigration
                && hop.equals(later.getHop())
                && later.getState() == StepState.Succeeded
                && completedJobs.contains(later.getJob())) {
              return true;
            }
          }
        }
      }
      return false;
    }

    // ---- Rules 3 and 4: one migration Job at a time, never a Job twice ----

    private void checkOneJobAtATimeAndNoJobTwice(Decision decision) {
      if (!(decision.action() instanceof Action.CreateJob create)) {
        return;
      }
      String name = name(create.job());
      // A name of a Job another BrokerUpgrade left may come back once that Job is deleted: it was
      // no step of ours. Our own Job names never come back, and no name that exists now.
      require(
          !jobsWeCreated.contains(name)
              && cluster.jobs.stream().noneMatch(job -> name(job).equals(name)),
          () -> "rule 4: Job " + name + " created again; it exists or existed before");
      List<String> running =
          cluster.unfinishedJobs().stream()
              .filter(this::migratesOurDeployment)
              .map(PlannerInvariantsTest::name)
              .toList();
      require(
          running.isEmpty(),
          () -> "rule 3: Job " + name + " created while " + running + " still run(s)");
    }

    private boolean migratesOurDeployment(Job job) {
      String deployment = label(job, JobSpecFactory.LABEL_DEPLOYMENT);
      return deployment == null
          ? JobOwnership.ownedBy(job, cluster.upgrade)
          : deployment.equals(OURS);
    }

    // ---- Events ----

    private void complete(Job job, int pick) {
      String step = label(job, JobSpecFactory.LABEL_STEP);
      boolean printsANumber =
          StepName.RecordDatabaseVersion.name().equals(step)
              || StepName.FindMigrationTarget.name().equals(step);
      // Now and then a command prints nothing at all.
      String output = printsANumber && pick % 8 != 7 ? "20240101" : "";
      cluster.completeJob(job, output);
      completedJobs.add(name(job));
      if (StepName.SchemaMigration.name().equals(step)
          && JobOwnership.ownedBy(job, cluster.upgrade)) {
        completedSchemaHops.add(
            job.getMetadata().getAnnotations().get(JobSpecFactory.ANNOTATION_HOP));
      }
      if (dataJobsOnRolledOutTemplate.contains(name(job)) && image(job).equals(templateImage())) {
        dataMigratedSinceTheRollout = true;
      }
    }

    private void setOnFailure(FailurePolicy policy) {
      if (cluster.upgrade.getSpec().getOnFailure() != policy) {
        cluster.edit(spec -> spec.setOnFailure(policy));
      }
    }

    private void addClaimant(String name, String created, boolean runInFlight) {
      if (cluster.others.stream().anyMatch(other -> other.getMetadata().getName().equals(name))) {
        return;
      }
      BrokerUpgrade claimant = ObservedCluster.brokerUpgrade(name, created, "2.1.0");
      if (runInFlight) {
        RunStatus run = new RunStatus();
        run.setId("r1");
        run.setType(RunType.Upgrade);
        run.setFrom("2.0.0");
        run.setTo("2.1.0");
        run.setStartedAt(cluster.now.toString());
        BrokerUpgradeStatus status = new BrokerUpgradeStatus();
        status.setRun(run);
        claimant.setStatus(status);
      }
      cluster.others.add(claimant);
    }

    private void changeTemplate(String envName, String value) {
      var container = cluster.deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      List<EnvVar> env = new ArrayList<>(container.getEnv());
      env.add(new EnvVar(envName, value, null));
      container.setEnv(env);
      cluster
          .deployment
          .getMetadata()
          .setGeneration(cluster.deployment.getMetadata().getGeneration() + 1);
    }

    private List<Job> jobsWithPods() {
      return cluster.jobs.stream()
          .filter(
              job ->
                  cluster.jobPods.stream()
                      .anyMatch(
                          pod ->
                              pod.getMetadata()
                                  .getOwnerReferences()
                                  .get(0)
                                  .getName()
                                  .equals(name(job))))
          .toList();
    }

    private String templateImage() {
      return cluster.deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private static <T> Optional<T> pick(List<T> candidates, int pick) {
      return candidates.isEmpty()
          ? Optional.empty()
          : Optional.of(candidates.get(pick % candidates.size()));
    }

    private void require(boolean rule, Supplier<String> violation) {
      if (!rule) {
        throw new AssertionError("pass " + passes + ": " + violation.get());
      }
    }

    private static String steps(RunStatus run) {
      return run.getSteps().stream()
          .map(step -> step.getName() + "(" + step.getHop() + ")=" + step.getState())
          .toList()
          .toString();
    }

    private static String describe(RunStatus run) {
      return run == null
          ? "none"
          : run.getId()
              + " "
              + run.getType()
              + " "
              + run.getFrom()
              + "→"
              + run.getTo()
              + " "
              + run.getResult()
              + " "
              + steps(run);
    }

    private static BrokerUpgradeStatus roundTrip(BrokerUpgradeStatus status) {
      try {
        return status == null
            ? null
            : JSON.readValue(JSON.writeValueAsString(status), BrokerUpgradeStatus.class);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    private static RunStatus roundTripRun(RunStatus run) {
      return JSON.convertValue(run, RunStatus.class);
    }
  }

  // ---- Jobs the operator did not make ----

  private static Job predecessorJob(String name, StepName step) {
    Job job = migrationJob(name, OURS, "r1", step, "2.1.0");
    job.getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withKind("BrokerUpgrade")
                    .withName(OURS)
                    .withUid("the-deleted-one")
                    .build()));
    job.setStatus(
        new JobStatusBuilder()
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .endCondition()
            .build());
    return job;
  }

  private static Job foreignJob(String name, String deployment) {
    Job job = migrationJob(name, deployment, "r7", StepName.DataMigration, "2.1.0");
    job.getMetadata().getLabels().put(JobSpecFactory.LABEL_UPGRADE, "other");
    return job;
  }

  private static Job migrationJob(
      String name, String deployment, String run, StepName step, String version) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ObservedCluster.NAMESPACE)
        .addToLabels(JobSpecFactory.LABEL_MANAGED_BY, JobSpecFactory.MANAGED_BY)
        .addToLabels(JobSpecFactory.LABEL_UPGRADE, OURS)
        .addToLabels(JobSpecFactory.LABEL_DEPLOYMENT, deployment)
        .addToLabels(JobSpecFactory.LABEL_RUN, run)
        .addToLabels(JobSpecFactory.LABEL_STEP, step.name())
        .addToAnnotations(JobSpecFactory.ANNOTATION_HOP, version)
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName(JobSpecFactory.CONTAINER_NAME)
        .withImage(ObservedCluster.REPOSITORY + ":" + version)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static String name(Job job) {
    return job.getMetadata().getName();
  }

  private static String label(Job job, String key) {
    return Optional.ofNullable(job.getMetadata().getLabels())
        .map(labels -> labels.get(key))
        .orElse(null);
  }

  private static String image(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}

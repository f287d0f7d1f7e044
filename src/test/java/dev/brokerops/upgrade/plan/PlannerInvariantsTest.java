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
import dev.brokerops.upgrade.jobs.JobNames;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * PROCEDURE.md's rules, checked after every planner pass over seeded random starting clusters and
 * orders of cluster events, operator crashes and lost status patches.
 */
class PlannerInvariantsTest {

  /** Versions the spec may name; the list is also what availableVersions holds when it is set. */
  static final List<String> VERSIONS = List.of("1.14.0", "1.17.3", "2.0.0", "2.1.0", "2.2.0");

  /**
   * Replays the one case a failure names, in each property the run selects: {@code mvn test
   * -Dtest='PlannerInvariantsTest#<property>' -Dinvariants.seed=<seed>}.
   */
  static final String REPLAY_SEED = "invariants.seed";

  /**
   * Draws another set of cases than the fixed default, to look further: {@code
   * -Dinvariants.base=<any number>}. The default set is fixed so that a build fails or passes the
   * same way every time.
   */
  static final String BASE = "invariants.base";

  /** Prints every pass of the cases that run: {@code -Dinvariants.trace=true}, with a seed. */
  private static final boolean TRACE = Boolean.getBoolean("invariants.trace");

  private static final long DEFAULT_BASE = 0x6a09e667f3bcc908L;

  private static final String OURS = "pactflow";

  /** Short enough to read a failing case by eye: there is no shrinking. */
  private static final int MAX_EVENTS = 40;

  /**
   * At most this many passes after the last event, while every Job completes and every rollout
   * settles.
   */
  private static final int CALM_ROUNDS = 16;

  @TestFactory
  Stream<DynamicTest> everyPassKeepsTheRules() {
    return cases("everyPassKeepsTheRules", 1000, EVERYDAY_MIX);
  }

  @TestFactory
  Stream<DynamicTest> crashesDuplicateReconcilesAndLostStatusPatchesKeepTheRules() {
    return cases(
        "crashesDuplicateReconcilesAndLostStatusPatchesKeepTheRules",
        500,
        mixWith(
            Map.of(
                Kind.DUPLICATE_RECONCILE, 10,
                Kind.OPERATOR_RESTART, 10,
                Kind.STATUS_PATCH_LOST, 15,
                Kind.JOB_VANISHES, 3,
                Kind.JOB_PODS_GONE, 4)));
  }

  @TestFactory
  Stream<DynamicTest> rivalsForTheDeploymentKeepTheRules() {
    return cases(
        "rivalsForTheDeploymentKeepTheRules",
        500,
        mixWith(
            Map.of(
                Kind.OLDER_CLAIMANT, 5,
                Kind.CLAIMANT_WITH_RUN_IN_FLIGHT, 5,
                Kind.CLAIMANTS_LEAVE, 6,
                Kind.FOREIGN_MIGRATION_JOB, 8)));
  }

  @TestFactory
  Stream<DynamicTest> aSpecThatKeepsChangingKeepsTheRules() {
    return cases(
        "aSpecThatKeepsChangingKeepsTheRules",
        500,
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

  /**
   * Found by reading the rules against CompletionEvidence, too deep for random event orders to hit:
   * an earlier run that reached 2.1.0 must not vouch for a later rollout to 2.1.0 that failed.
   */
  @Test
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
  @Test
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

  // ---- Cases: seeds, replay and the event mix ----

  /**
   * One dynamic test per seed, then one that prints the mix the cases had. Each case's seed alone
   * makes its scenario, so a failure names the seed to replay.
   */
  private static Stream<DynamicTest> cases(String property, int count, Map<Kind, Integer> mix) {
    Mix seen = new Mix();
    Optional<String> replay = Optional.ofNullable(System.getProperty(REPLAY_SEED));
    long base =
        Optional.ofNullable(System.getProperty(BASE)).map(Long::decode).orElse(DEFAULT_BASE);
    SplittableRandom seeds = new SplittableRandom(base ^ property.hashCode());
    Stream<Long> caseSeeds =
        replay.isPresent()
            ? Stream.of(Long.parseUnsignedLong(replay.get().replaceFirst("^0x", ""), 16))
            : IntStream.range(0, count).mapToObj(i -> seeds.nextLong());
    Stream<DynamicTest> each =
        caseSeeds.map(
            seed ->
                DynamicTest.dynamicTest(
                    "seed " + Long.toHexString(seed),
                    () -> check(property, seed, scenario(new SplittableRandom(seed), mix), seen)));
    return Stream.concat(
        each, Stream.of(DynamicTest.dynamicTest("event mix", () -> seen.print(property))));
  }

  private static void check(String property, long seed, Scenario scenario, Mix seen) {
    Simulation simulation = new Simulation(scenario.start());
    try {
      simulation.play(scenario.events());
    } catch (AssertionError | RuntimeException violation) {
      throw new AssertionError(
          violation.getMessage() + "\n" + replayNote(property, seed, scenario, simulation),
          violation);
    } finally {
      seen.add(scenario, simulation);
    }
  }

  private static String replayNote(
      String property, long seed, Scenario scenario, Simulation simulation) {
    StringBuilder note = new StringBuilder();
    note.append("  property ")
        .append(property)
        .append(", seed ")
        .append(Long.toHexString(seed))
        .append("; replay it with\n    mvn -B -ntp -o -q test -Dtest='PlannerInvariantsTest#")
        .append(property)
        .append("' -D")
        .append(REPLAY_SEED)
        .append('=')
        .append(Long.toHexString(seed))
        .append("\n  start: ")
        .append(scenario.start())
        .append("\n  events (» marks where it broke, after pass ")
        .append(simulation.passes)
        .append("):\n");
    List<Event> events = scenario.events();
    for (int i = 0; i < events.size(); i++) {
      note.append(i == simulation.eventsApplied - 1 ? "  » " : "    ")
          .append(String.format("%2d. ", i + 1))
          .append(events.get(i))
          .append('\n');
    }
    note.append(simulation.eventsApplied > events.size() ? "  » " : "    ")
        .append("then calm: every Job completes, every rollout settles");
    return note.toString();
  }

  private static void replay(Scenario scenario) {
    new Simulation(scenario.start()).play(scenario.events());
  }

  /** What one property's cases did: the events drawn, the rules exercised, how runs ended. */
  static final class Mix {
    private final Map<Kind, Integer> events = new EnumMap<>(Kind.class);
    private final Map<String, Integer> exercised = new LinkedHashMap<>();
    private final Map<String, Integer> finalPhases = new TreeMap<>();
    private int cases;

    void add(Scenario scenario, Simulation simulation) {
      cases++;
      scenario.events().forEach(event -> events.merge(event.kind(), 1, Integer::sum));
      count(exercised, "rule 1: the Deployment was patched", simulation.rolloutPatches > 0);
      count(exercised, "rule 2: Ready=True or Succeeded was seen", simulation.readySeen);
      count(exercised, "rules 3, 4: a Job was created", simulation.jobsCreated > 0);
      count(exercised, "rules 3, 4: 5 or more Jobs were created", simulation.jobsCreated >= 5);
      count(exercised, "rule 5: a MigrateDown Job was created", simulation.migrateDownJobs > 0);
      count(exercised, "rule 5: a rollback run succeeded", simulation.rollbacksSucceeded > 0);
      BrokerUpgradeStatus last = simulation.cluster.upgrade.getStatus();
      if (last != null) {
        finalPhases.merge(
            last.getPhase() == Phase.Blocked
                ? "Blocked: "
                    + StatusConditions.find(last.getConditions(), StatusConditions.DEGRADED)
                        .map(condition -> condition.getReason())
                        .orElse("?")
                : String.valueOf(last.getPhase()),
            1,
            Integer::sum);
      }
    }

    private static void count(Map<String, Integer> counts, String what, boolean happened) {
      counts.merge(what, happened ? 1 : 0, Integer::sum);
    }

    void print(String property) {
      int total = events.values().stream().mapToInt(Integer::intValue).sum();
      StringBuilder report = new StringBuilder();
      report.append(property).append(": ").append(cases).append(" cases, ").append(total);
      report.append(" events\n  events:\n");
      events.entrySet().stream()
          .sorted(Map.Entry.<Kind, Integer>comparingByValue().reversed())
          .forEach(
              entry ->
                  report.append(
                      String.format(
                          "    %-30s %6d  %5.1f %%%n",
                          entry.getKey(), entry.getValue(), 100.0 * entry.getValue() / total)));
      report.append("  cases in which:\n");
      exercised.forEach(
          (what, count) ->
              report.append(
                  String.format("    %-44s %5d  %5.1f %%%n", what, count, 100.0 * count / cases)));
      report.append("  final phase:\n");
      finalPhases.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .forEach(
              entry ->
                  report.append(
                      String.format(
                          "    %-44s %5d  %5.1f %%%n",
                          entry.getKey(), entry.getValue(), 100.0 * entry.getValue() / cases)));
      System.out.print(report);
    }
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
    ALL_GOES_WELL;

    /** Whether {@link Event#pick} changes what the event does. */
    boolean picks() {
      return switch (this) {
        case JOB_COMPLETES,
            JOB_FAILS,
            JOB_POD_IMAGE_PULL_BACK_OFF,
            JOB_POD_ERR_IMAGE_PULL,
            JOB_VANISHES,
            JOB_PODS_GONE,
            ROLLOUT_OLD_PODS_TERMINATING,
            CLOCK_TICKS,
            VERSION_EDIT,
            ALL_GOES_WELL,
            FOREIGN_MIGRATION_JOB ->
            true;
        default -> false;
      };
    }
  }

  /**
   * One event; {@code pick} chooses among what it could act on (which Job, which version, how
   * long), so the same event list means the same thing when it is replayed.
   */
  record Event(Kind kind, int pick) {
    @Override
    public String toString() {
      return kind
          + (kind.picks() ? "#" + pick : "")
          + (kind == Kind.VERSION_EDIT ? " (" + VERSIONS.get(pick % VERSIONS.size()) + ")" : "");
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

  /** A starting cluster, then up to {@link #MAX_EVENTS} events drawn by weight. */
  static Scenario scenario(SplittableRandom random, Map<Kind, Integer> mix) {
    Start start = start(random);
    int total = mix.values().stream().mapToInt(Integer::intValue).sum();
    List<Event> events = new ArrayList<>();
    int length = random.nextInt(MAX_EVENTS + 1);
    for (int i = 0; i < length; i++) {
      int draw = random.nextInt(total);
      Kind kind = null;
      // EnumMap iterates in declaration order, so a seed draws the same events every time.
      for (Map.Entry<Kind, Integer> weight : mix.entrySet()) {
        draw -= weight.getValue();
        if (draw < 0) {
          kind = weight.getKey();
          break;
        }
      }
      events.add(new Event(kind, random.nextInt(10)));
    }
    return new Scenario(start, events);
  }

  private static Start start(SplittableRandom random) {
    String running = oneOf(random, List.of("1.14.0", "1.17.3", "2.0.0", "2.1.0"));
    // Mostly an upgrade, so that most cases get far into a run; sometimes any version.
    List<String> higher =
        VERSIONS.stream()
            .filter(version -> Version.of(version).compareTo(Version.of(running)) > 0)
            .toList();
    String target = random.nextInt(5) < 4 ? oneOf(random, higher) : oneOf(random, VERSIONS);
    return new Start(
        running,
        target,
        oneOf(random, List.of(FailurePolicy.values())),
        random.nextBoolean(),
        random.nextInt(5) != 0,
        random.nextInt(5) == 0,
        random.nextInt(5) == 0,
        random.nextInt(5) == 0);
  }

  private static <T> T oneOf(SplittableRandom random, List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  // ---- The simulation and the rules ----

  /**
   * The newest migration each version ships, as its db-version prints it once the database is at
   * that version's schema.
   */
  static final Map<String, String> NEWEST_MIGRATION =
      Map.of(
          "1.14.0", "20240101",
          "1.17.3", "20240601",
          "2.0.0", "20250101",
          "2.1.0", "20250601",
          "2.2.0", "20260101");

  /** A rollback run that ended Succeeded, from status.run or from history. */
  record EndedRollback(String id, String to, String described) {}

  /** A Job the simulation completed: which run and step it was for, and what it printed. */
  record Completion(String run, String step, String hop, String printed) {}

  /**
   * An {@link ObservedCluster} driven by events, with what the test knows besides what the planner
   * sees: the database's migration number, every Job the planner created, which Jobs really
   * completed and what they printed, the Deployment's template when each run started, every run as
   * last persisted, and whether the run that last rolled the template out finished it since.
   */
  static final class Simulation {

    private static final ObjectMapper JSON = new ObjectMapper();

    final ObservedCluster cluster;
    private final String initialVersion;
    private final Set<String> jobsWeCreated = new HashSet<>();
    private final Map<String, Completion> completedJobs = new HashMap<>();
    private final Set<String> completedSchemaHops = new HashSet<>();
    private final Map<String, String> templateWhenRunStarted = new HashMap<>();
    private final Map<String, RunStatus> persistedRuns = new HashMap<>();
    private final Set<String> rollbacksSeenSucceeded = new HashSet<>();

    /**
     * The newest migration applied to the database: db-migrate goes up to its image's newest, or to
     * the migration target it is given.
     */
    private String database;

    /**
     * DataMigration and VerifyDatabaseVersion Jobs created once the rollout to their own image had
     * left no pod of another template.
     */
    private final Set<String> finishingJobsOnRolledOutTemplate = new HashSet<>();

    /** The type of the run that last changed the template (auto-migrate off); none at the start. */
    private RunType templateRolledBy;

    /**
     * Since that change, the run's finishing Job completed on the rolled-out template: an upgrade's
     * DataMigration, or a rollback's VerifyDatabaseVersion printing the version's newest migration.
     */
    private boolean finishedSinceTheRollout = true;

    private int retries;
    int passes;

    /** How many events were applied, the one being applied included; one more while calming. */
    int eventsApplied;

    int rolloutPatches;
    int jobsCreated;
    boolean readySeen;
    int migrateDownJobs;
    int rollbacksSucceeded;

    Simulation(Start start) {
      initialVersion = start.running();
      database = NEWEST_MIGRATION.get(start.running());
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

    /** Every event in order, then calm, checking the rules after every pass. */
    void play(List<Event> events) {
      for (Event event : events) {
        eventsApplied++;
        apply(event);
      }
      eventsApplied++;
      calmDown();
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

    /**
     * Up to so many rounds; fewer once quiet. A pass that asked for nothing, over a cluster that
     * did not change, leaving the status it found, would be repeated exactly by every later round:
     * the planner is a function of what it sees, and the clock stands still here.
     */
    private void goWell(int rounds) {
      String quietStatus = null;
      for (int round = 0; round < rounds; round++) {
        Decision decision = pass(true);
        boolean clusterChanged = !cluster.unfinishedJobs().isEmpty() || !cluster.rolledOut();
        for (Job job : cluster.unfinishedJobs()) {
          complete(job, 0);
        }
        if (!cluster.rolledOut()) {
          cluster.settleRollout();
        }
        if (!(decision.action() instanceof Action.Nothing) || clusterChanged) {
          quietStatus = null;
          continue;
        }
        String status = json(decision.status());
        if (status.equals(quietStatus)) {
          return;
        }
        quietStatus = status;
      }
    }

    /**
     * One planner pass: the rules are checked on the observation it saw and the decision it made,
     * then its action is applied; its status is kept unless the patch is lost.
     */
    private Decision pass(boolean statusPersisted) {
      Decision decision = cluster.plan();
      passes++;
      RunStatus run = decision.status().getRun();
      if (TRACE) {
        System.out.printf(
            "pass %d (event %d)%s: %s; %s; Ready=%s; %s%n",
            passes,
            eventsApplied,
            statusPersisted ? "" : " [status patch lost]",
            summary(decision.action()),
            decision.status().getPhase(),
            StatusConditions.find(decision.status().getConditions(), StatusConditions.READY)
                .map(condition -> condition.getStatus())
                .orElse("?"),
            describe(run));
      }
      if (run != null) {
        templateWhenRunStarted.putIfAbsent(run.getId(), cluster.templateTag());
      }
      checkRolloutFollowsSchemaMigration(decision);
      checkReadyMeansDone(decision);
      checkOneJobAtATimeAndNoJobTwice(decision);
      checkRollbackMigratesDownAfterItsRolloutAndEndsVerified(decision);
      if (statusPersisted) {
        cluster.upgrade.setStatus(decision.status());
        remember(decision.status());
      }
      applyAction(decision);
      return decision;
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
            List<StepStatus> steps = known.getSteps();
            for (int index = 0; index < steps.size(); index++) {
              StepStatus step = steps.get(index);
              step.setState(StepState.Succeeded);
              // A step whose Job was created in a pass whose status patch was lost has no Job
              // name here; the name derives from run and step, as the planner derives it.
              if (step.getJob() == null && step.getName().runsJob()) {
                step.setJob(JobNames.forStep(OURS, known.getId(), index, step.getName()));
              }
            }
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
        String step = label(job, JobSpecFactory.LABEL_STEP);
        if (StepName.MigrateDown.name().equals(step)) {
          migrateDownJobs++;
        }
        // What matters is that no pod of an older template is left to write the old way; a new
        // pod that is briefly unavailable writes nothing old.
        boolean finishing =
            StepName.DataMigration.name().equals(step)
                || StepName.VerifyDatabaseVersion.name().equals(step);
        if (finishing && !cluster.rolloutPending() && image(job).equals(templateImage())) {
          finishingJobsOnRolledOutTemplate.add(name(job));
        }
      } else if (action instanceof Action.RolloutDeployment) {
        rolloutPatches++;
        templateRolledBy = decision.status().getRun().getType();
        finishedSinceTheRollout = false;
        finishingJobsOnRolledOutTemplate.clear();
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
                          && completedJobs.containsKey(step.getJob()));
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
                && finishedAfterRollout(last, target),
            () ->
                "rule 2: phase Succeeded but the last run has no "
                    + (last != null && last.getType() == RunType.Rollback
                        ? "VerifyDatabaseVersion"
                        : "DataMigration")
                    + " after its Rollout: "
                    + describe(last));
      }
      lastToTarget.ifPresent(
          run ->
              require(
                  finishedAfterRollout(run, target),
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
            templateRolledBy == null || finishedSinceTheRollout,
            () ->
                "rule 2: Ready=True but no "
                    + (templateRolledBy == RunType.Rollback
                        ? "VerifyDatabaseVersion Job printed "
                            + NEWEST_MIGRATION.get(cluster.templateTag())
                        : "DataMigration Job completed")
                    + " after the "
                    + templateRolledBy
                    + " run's rollout to "
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

    /**
     * After the run's Rollout of this hop succeeded, the step that finishes the hop did too, on a
     * Job that really completed: an upgrade's DataMigration, or a rollback's VerifyDatabaseVersion
     * that printed the hop's newest migration.
     */
    private boolean finishedAfterRollout(RunStatus run, String hop) {
      StepName finishing =
          run.getType() == RunType.Rollback
              ? StepName.VerifyDatabaseVersion
              : StepName.DataMigration;
      List<StepStatus> steps = run.getSteps();
      for (int rollout = 0; rollout < steps.size(); rollout++) {
        StepStatus candidate = steps.get(rollout);
        if (candidate.getName() == StepName.Rollout
            && hop.equals(candidate.getHop())
            && candidate.getState() == StepState.Succeeded) {
          for (StepStatus later : steps.subList(rollout + 1, steps.size())) {
            if (later.getName() == finishing
                && hop.equals(later.getHop())
                && later.getState() == StepState.Succeeded
                && completedJobs.containsKey(later.getJob())
                && (finishing != StepName.VerifyDatabaseVersion
                    || NEWEST_MIGRATION
                        .get(hop)
                        .equals(completedJobs.get(later.getJob()).printed()))) {
              return true;
            }
          }
        }
      }
      return false;
    }

    // ---- Rule 5: a rollback migrates down only after its rollout, and ends verified ----

    /**
     * PROCEDURE.md's rollback: the newer image migrates down only once no pod of another version
     * than the hop's is left (N-1 runs on N's schema, N on N-1's does not), and a rollback that
     * succeeded had its last hop's db-version print that version's newest migration.
     */
    private void checkRollbackMigratesDownAfterItsRolloutAndEndsVerified(Decision decision) {
      RunStatus run = decision.status().getRun();
      if (decision.action() instanceof Action.CreateJob create
          && StepName.MigrateDown.name().equals(label(create.job(), JobSpecFactory.LABEL_STEP))) {
        Job job = create.job();
        String hop = job.getMetadata().getAnnotations().get(JobSpecFactory.ANNOTATION_HOP);
        require(
            run != null && run.getType() == RunType.Rollback && rolloutSucceeded(run, hop),
            () ->
                "rule 5: MigrateDown Job "
                    + name(job)
                    + " created before the Rollout of "
                    + hop
                    + " succeeded: "
                    + describe(run));
        List<String> otherVersions =
            cluster.deploymentPods.stream()
                .map(pod -> pod.getMetadata().getName() + " runs " + versionOf(pod))
                .filter(pod -> !pod.endsWith(" runs " + hop))
                .toList();
        require(
            cluster.templateTag().equals(hop) && otherVersions.isEmpty(),
            () ->
                "rule 5: MigrateDown Job "
                    + name(job)
                    + " ("
                    + image(job)
                    + ") created while the template names "
                    + cluster.templateTag()
                    + " and pods of another version than "
                    + hop
                    + " are left: "
                    + otherVersions);
      }
      List<EndedRollback> ended = new ArrayList<>();
      if (run != null
          && run.getType() == RunType.Rollback
          && run.getResult() == RunResult.Succeeded) {
        ended.add(new EndedRollback(run.getId(), run.getTo(), describe(run)));
      }
      decision.status().getHistory().stream()
          .filter(
              summary ->
                  summary.getType() == RunType.Rollback
                      && summary.getResult() == RunResult.Succeeded)
          .forEach(
              summary ->
                  ended.add(
                      new EndedRollback(
                          summary.getId(),
                          summary.getTo(),
                          summary.getId() + " Rollback →" + summary.getTo() + " (from history)")));
      for (EndedRollback rollback : ended) {
        if (!rollbacksSeenSucceeded.add(rollback.id())) {
          continue;
        }
        rollbacksSucceeded++;
        String expected = NEWEST_MIGRATION.get(rollback.to());
        require(
            completedJobs.values().stream()
                .anyMatch(
                    job ->
                        rollback.id().equals(job.run())
                            && StepName.VerifyDatabaseVersion.name().equals(job.step())
                            && rollback.to().equals(job.hop())
                            && expected.equals(job.printed())),
            () ->
                "rule 5: rollback "
                    + rollback.described()
                    + " ended Succeeded but no VerifyDatabaseVersion Job of its last hop "
                    + rollback.to()
                    + " printed "
                    + expected);
      }
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

    /**
     * The Job's pod exits 0 and prints what its command would: db-version the database's migration
     * number, FindMigrationTarget its image's newest migration. A migration of our Deployment's
     * database moves it, whoever made the Job.
     */
    private void complete(Job job, int pick) {
      String step = label(job, JobSpecFactory.LABEL_STEP);
      String hop = job.getMetadata().getAnnotations().get(JobSpecFactory.ANNOTATION_HOP);
      String printed = "";
      if (StepName.RecordDatabaseVersion.name().equals(step)
          || StepName.VerifyDatabaseVersion.name().equals(step)) {
        printed = database;
      } else if (StepName.FindMigrationTarget.name().equals(step)) {
        printed = NEWEST_MIGRATION.get(tag(image(job)));
      }
      if (pick % 8 == 7) {
        printed = ""; // now and then a command prints nothing at all
      }
      if (migratesOurDeployment(job)) {
        Optional<String> target =
            env(job, cluster.upgrade.getSpec().getProcedure().getMigrationTargetEnv());
        if (target.isPresent()) {
          database = target.get();
        } else if (StepName.SchemaMigration.name().equals(step)
            || StepName.DataMigration.name().equals(step)) {
          String newest = NEWEST_MIGRATION.get(tag(image(job)));
          database = Long.parseLong(newest) > Long.parseLong(database) ? newest : database;
        }
      }
      cluster.completeJob(job, printed);
      completedJobs.put(
          name(job), new Completion(label(job, JobSpecFactory.LABEL_RUN), step, hop, printed));
      if (StepName.SchemaMigration.name().equals(step)
          && JobOwnership.ownedBy(job, cluster.upgrade)) {
        completedSchemaHops.add(hop);
      }
      StepName finishing =
          templateRolledBy == RunType.Rollback
              ? StepName.VerifyDatabaseVersion
              : StepName.DataMigration;
      if (finishingJobsOnRolledOutTemplate.contains(name(job))
          && image(job).equals(templateImage())
          && finishing.name().equals(step)
          && (finishing != StepName.VerifyDatabaseVersion
              || printed.equals(NEWEST_MIGRATION.get(cluster.templateTag())))) {
        finishedSinceTheRollout = true;
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

    private static Optional<String> env(Job job, String name) {
      return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
          .filter(variable -> variable.getName().equals(name))
          .map(EnvVar::getValue)
          .findFirst();
    }

    /** The version a Deployment pod runs: what the template of its ReplicaSet names. */
    private String versionOf(io.fabric8.kubernetes.api.model.Pod pod) {
      String replicaSet = pod.getMetadata().getOwnerReferences().get(0).getName();
      return cluster.replicaSets.stream()
          .filter(candidate -> candidate.getMetadata().getName().equals(replicaSet))
          .map(
              found ->
                  tag(found.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()))
          .findFirst()
          .orElse("unknown (" + replicaSet + ")");
    }

    private String templateImage() {
      return cluster.templateImage();
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

    private static String summary(Action action) {
      if (action instanceof Action.CreateJob create) {
        return "create Job " + name(create.job()) + " (" + image(create.job()) + ")";
      }
      if (action instanceof Action.DeleteJob delete) {
        return "delete Job " + delete.name();
      }
      if (action instanceof Action.RolloutDeployment rollout) {
        return "roll the Deployment out to " + rollout.image();
      }
      return "nothing to do";
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

    private static String json(BrokerUpgradeStatus status) {
      try {
        return JSON.writeValueAsString(status);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
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

  private static String tag(String image) {
    return image.substring(image.lastIndexOf(':') + 1);
  }
}

package dev.brokerops.perf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brokerops.bench.AuditLog;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One single-hop upgrade of one namespace as the API server's audit log tells it: the Jobs the
 * upgrader (the operator, or the kubectl script) created and the Job controller's write that set
 * each {@code Complete}; the upgrader's patch of the Deployment and the write that finished the
 * rollout (the Deployment controller's status showing every replica updated and available, or the
 * final delete of the last old pod, whichever came later); and every request the upgrader made.
 */
final class UpgradeTimeline {

  /** A Job step: created (the create's response complete) and completed (Complete written). */
  record JobRun(String name, String step, Instant created, Instant completed) {
    Duration took() {
      return Duration.between(created, completed);
    }
  }

  /** The end of a step and the upgrader's first write after it. */
  record Reaction(String step, Instant stepEnded, AuditLog.Event next) {
    Duration latency() {
      return Duration.between(stepEnded, next.received());
    }
  }

  static final String ROLLOUT = "Rollout";

  private final String namespace;
  private final String actor;
  private final List<AuditLog.Event> events;
  private final List<JobRun> jobs;
  private final Instant patched;
  private final Instant deploymentDone;
  private final Instant lastOldPodGone;

  private UpgradeTimeline(
      String namespace,
      String actor,
      List<AuditLog.Event> events,
      List<JobRun> jobs,
      Instant patched,
      Instant deploymentDone,
      Instant lastOldPodGone) {
    this.namespace = namespace;
    this.actor = actor;
    this.events = events;
    this.jobs = jobs;
    this.patched = patched;
    this.deploymentDone = deploymentDone;
    this.lastOldPodGone = lastOldPodGone;
  }

  /**
   * Reads the upgrade of {@code deployment} in {@code namespace} by {@code actor} from the audit
   * records of its window; {@code oldPods} are the Deployment's pods before it started.
   */
  static UpgradeTimeline of(
      List<AuditLog.Event> all,
      String namespace,
      String actor,
      String deployment,
      Set<String> oldPods) {
    List<AuditLog.Event> events =
        all.stream()
            .filter(e -> e.namespace().equals(namespace))
            .sorted(Comparator.comparing(AuditLog.Event::completed))
            .toList();
    List<JobRun> jobs = new ArrayList<>();
    for (AuditLog.Event create : events) {
      if (!create.user().equals(actor)
          || !create.verb().equals("create")
          || !create.resourcePath().equals("jobs")
          || !create.succeeded()) {
        continue;
      }
      events.stream()
          .filter(e -> e.resourcePath().equals("jobs/status") && e.name().equals(create.name()))
          .filter(e -> e.response().map(UpgradeTimeline::complete).orElse(false))
          .findFirst()
          .ifPresent(
              complete ->
                  jobs.add(
                      new JobRun(
                          create.name(),
                          complete
                              .response()
                              .map(
                                  job ->
                                      job.path("metadata")
                                          .path("labels")
                                          .path(JobSpecFactory.LABEL_STEP)
                                          .asText(create.name()))
                              .orElse(create.name()),
                          create.completed(),
                          complete.completed())));
    }
    AuditLog.Event patch =
        events.stream()
            .filter(e -> e.user().equals(actor) && e.verb().equals("patch"))
            .filter(e -> e.resourcePath().equals("deployments") && e.name().equals(deployment))
            .filter(AuditLog.Event::succeeded)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        actor + " never patched Deployment " + namespace + "/" + deployment));
    Instant deploymentDone =
        events.stream()
            .filter(e -> e.resourcePath().equals("deployments/status"))
            .filter(e -> e.name().equals(deployment))
            .filter(e -> e.received().isAfter(patch.completed()))
            .filter(e -> e.response().map(UpgradeTimeline::rolledOut).orElse(false))
            .map(AuditLog.Event::completed)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no status write of Deployment "
                            + namespace
                            + "/"
                            + deployment
                            + " shows its rollout done"));
    Instant lastOldPodGone =
        events.stream()
            .filter(e -> e.verb().equals("delete") && e.resourcePath().equals("pods"))
            .filter(e -> oldPods.contains(e.name()))
            .map(AuditLog.Event::completed)
            .max(Comparator.naturalOrder())
            .orElse(deploymentDone);
    jobs.sort(Comparator.comparing(JobRun::created));
    return new UpgradeTimeline(
        namespace, actor, events, jobs, patch.completed(), deploymentDone, lastOldPodGone);
  }

  private static boolean complete(JsonNode job) {
    for (JsonNode condition : job.path("status").path("conditions")) {
      if (condition.path("type").asText().equals("Complete")
          && condition.path("status").asText().equals("True")) {
        return true;
      }
    }
    return false;
  }

  private static boolean rolledOut(JsonNode deployment) {
    JsonNode status = deployment.path("status");
    int replicas = deployment.path("spec").path("replicas").asInt(1);
    return status.path("observedGeneration").asLong(-1)
            >= deployment.path("metadata").path("generation").asLong()
        && status.path("updatedReplicas").asInt(-1) == replicas
        && status.path("availableReplicas").asInt(-1) == replicas
        && status.path("replicas").asInt(-1) == replicas;
  }

  List<JobRun> jobs() {
    return jobs;
  }

  /** When the rollout was done: every replica updated and available, and no old pod left. */
  Instant rolloutEnded() {
    return deploymentDone.isAfter(lastOldPodGone) ? deploymentDone : lastOldPodGone;
  }

  Duration rolloutTook() {
    return Duration.between(patched, rolloutEnded());
  }

  /** Whether the last old pod went after the Deployment controller showed the rollout done. */
  boolean oldPodsOutlastedTheStatus() {
    return lastOldPodGone.isAfter(deploymentDone);
  }

  /** The time Kubernetes worked for the upgrade: the Jobs' pods and the rollout. */
  Duration work() {
    return jobs.stream().map(JobRun::took).reduce(rolloutTook(), Duration::plus);
  }

  /**
   * The time around Kubernetes' work, from {@code start} (the upgrade asked for) to {@code end} (it
   * was seen done), in order: before the first Job, between the steps, after the last. They add up
   * to the run's duration minus {@link #work()}.
   */
  Map<String, Duration> gaps(Instant start, Instant end) {
    if (jobs.size() != 3) {
      throw new IllegalStateException("expected 3 Jobs, found " + jobs);
    }
    Map<String, Duration> gaps = new LinkedHashMap<>();
    gaps.put("asked to 1st Job created", Duration.between(start, jobs.get(0).created()));
    gaps.put(
        "1st Job Complete to 2nd created",
        Duration.between(jobs.get(0).completed(), jobs.get(1).created()));
    gaps.put(
        "2nd Job Complete to Deployment patched",
        Duration.between(jobs.get(1).completed(), patched));
    gaps.put(
        "rollout done to 3rd Job created", Duration.between(rolloutEnded(), jobs.get(2).created()));
    gaps.put("3rd Job Complete to seen done", Duration.between(jobs.get(2).completed(), end));
    return gaps;
  }

  /**
   * Each step's end (a Job's Complete, the rollout done) and the upgrader's next write after it.
   */
  List<Reaction> reactions() {
    List<Reaction> reactions = new ArrayList<>();
    for (JobRun job : jobs) {
      nextWriteAfter(job.completed())
          .ifPresent(e -> reactions.add(new Reaction(job.step(), job.completed(), e)));
    }
    nextWriteAfter(rolloutEnded())
        .ifPresent(e -> reactions.add(new Reaction(ROLLOUT, rolloutEnded(), e)));
    reactions.sort(Comparator.comparing(Reaction::stepEnded));
    return reactions;
  }

  private Optional<AuditLog.Event> nextWriteAfter(Instant end) {
    return events.stream()
        .filter(e -> e.user().equals(actor) && e.isWrite())
        .filter(e -> e.received().isAfter(end))
        .min(Comparator.comparing(AuditLog.Event::received));
  }

  /** The upgrader's requests in this namespace between {@code from} and {@code to}, by kind. */
  Map<String, Long> requests(Instant from, Instant to) {
    return events.stream()
        .filter(e -> e.user().equals(actor))
        .filter(e -> !e.received().isBefore(from) && !e.received().isAfter(to))
        .collect(
            Collectors.groupingBy(
                e -> e.verb() + " " + e.resourcePath(), TreeMap::new, Collectors.counting()));
  }

  String namespace() {
    return namespace;
  }
}

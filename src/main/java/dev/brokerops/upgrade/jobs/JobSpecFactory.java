package dev.brokerops.upgrade.jobs;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds every migration Job from the broker Deployment's pod template, so it reaches the same
 * database.
 */
public final class JobSpecFactory {

  public static final String MANAGED_BY = "brokerupgrade-operator";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_UPGRADE = BrokerUpgrade.GROUP + "/name";
  public static final String LABEL_RUN = BrokerUpgrade.GROUP + "/run";
  public static final String LABEL_STEP = BrokerUpgrade.GROUP + "/step";

  /** The Deployment whose database the Job migrates: no two migration Jobs run at once for one. */
  public static final String LABEL_DEPLOYMENT = BrokerUpgrade.GROUP + "/deployment";

  public static final String ANNOTATION_HOP = BrokerUpgrade.GROUP + "/hop";
  public static final String CONTAINER_NAME = "migration";

  private JobSpecFactory() {}

  /**
   * The Job for a step, with the pod of {@code deployment}'s template and {@code broker}, the
   * container that runs the broker in it.
   */
  public static Job build(
      BrokerUpgrade upgrade, Deployment deployment, Container broker, JobRequest request) {
    var spec = upgrade.getSpec();
    String name = request.name();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_MANAGED_BY, MANAGED_BY);
    labels.put(LABEL_UPGRADE, JobNames.labelValue(upgrade.getMetadata().getName()));
    labels.put(LABEL_DEPLOYMENT, JobNames.labelValue(spec.getDeployment()));
    labels.put(LABEL_RUN, request.runId());
    labels.put(LABEL_STEP, request.step().name());

    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(upgrade.getMetadata().getNamespace())
        .withLabels(labels)
        .addToAnnotations(ANNOTATION_HOP, request.hop())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(upgrade.getApiVersion())
                .withKind(upgrade.getKind())
                .withName(upgrade.getMetadata().getName())
                .withUid(upgrade.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(spec.getJobs().getBackoffLimit())
        .withActiveDeadlineSeconds(spec.getJobs().getActiveDeadlineSeconds())
        .withTtlSecondsAfterFinished(spec.getJobs().getTtlSecondsAfterFinished())
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withSpec(
            podSpec(
                deployment.getSpec().getTemplate().getSpec(),
                broker,
                request,
                upgrade.getSpec().getProcedure().getMigrationTargetEnv(),
                spec.getJobs().getResources()))
        .endTemplate()
        .endSpec()
        .build();
  }

  private static PodSpec podSpec(
      PodSpec template,
      Container broker,
      JobRequest request,
      String migrationTargetEnv,
      io.fabric8.kubernetes.api.model.ResourceRequirements resources) {
    List<VolumeMount> mounts = Optional.ofNullable(broker.getVolumeMounts()).orElse(List.of());
    Set<String> usedVolumes = mounts.stream().map(VolumeMount::getName).collect(Collectors.toSet());
    List<Volume> volumes =
        Optional.ofNullable(template.getVolumes()).orElse(List.of()).stream()
            .filter(volume -> usedVolumes.contains(volume.getName()))
            .toList();

    Container container =
        new ContainerBuilder()
            .withName(CONTAINER_NAME)
            .withImage(request.image())
            .withImagePullPolicy(broker.getImagePullPolicy())
            .withCommand(request.command())
            .withArgs(List.of())
            .withWorkingDir(broker.getWorkingDir())
            .withEnv(env(broker, request.extraEnv(), migrationTargetEnv))
            .withEnvFrom(broker.getEnvFrom())
            .withVolumeMounts(mounts)
            .withResources(resources != null ? resources : broker.getResources())
            .withSecurityContext(broker.getSecurityContext())
            .withTerminationMessagePath(StepCommands.TERMINATION_MESSAGE_PATH)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .build();

    return new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withContainers(container)
        .withVolumes(volumes)
        .withImagePullSecrets(template.getImagePullSecrets())
        .withServiceAccountName(template.getServiceAccountName())
        .withAutomountServiceAccountToken(template.getAutomountServiceAccountToken())
        .withSecurityContext(template.getSecurityContext())
        .withNodeSelector(template.getNodeSelector())
        .withTolerations(template.getTolerations())
        .build();
  }

  /*
   * The broker's own variables, as references where they are references: a secretKeyRef stays a secretKeyRef, so
   * no secret value passes through the operator. The migration target is dropped unless this step sets it: a
   * leftover target on the Deployment would make an upgrade's db-migrate migrate down.
   */
  private static List<EnvVar> env(
      Container broker, Map<String, String> extra, String migrationTargetEnv) {
    List<EnvVar> env = new ArrayList<>();
    for (EnvVar variable : Optional.ofNullable(broker.getEnv()).orElse(List.of())) {
      if (!extra.containsKey(variable.getName())
          && !variable.getName().equals(migrationTargetEnv)) {
        env.add(variable);
      }
    }
    extra.forEach((name, value) -> env.add(new EnvVar(name, value, null)));
    return env;
  }
}

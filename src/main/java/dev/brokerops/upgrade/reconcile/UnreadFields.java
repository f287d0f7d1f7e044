package dev.brokerops.upgrade.reconcile;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonIncludeProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerResizePolicy;
import io.fabric8.kubernetes.api.model.ContainerRestartRule;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodOS;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodResourceClaim;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * Fields of what the API server sends that the operator never reads, skipped while the JSON is
 * decoded rather than built and then dropped: {@code metadata.managedFields} of every object (often
 * a third of it), a pod's {@code spec} and all of its {@code status} but its phase and each
 * container's name and state (a Job's outcome reads why its container ended or waits; a rollout
 * reads pods' owners), and a ReplicaSet's {@code spec} and {@code status} (a rollout reads its
 * name, owner and revision annotation). Pods and ReplicaSets are the most numerous objects the
 * informers list, so at start-up this is much of the decoding. The operator never writes these
 * fields, so skipping them on the way out as well changes nothing it sends. Parts of a pod template
 * that the operator only copies into its Jobs or checks for presence are {@link KeptWhole}: kept as
 * JSON rather than decoded field by field. Every text is decoded as one shared copy, {@link
 * InternedStrings}.
 *
 * <p>A watch event names its object's kind, which the client looks up among the kinds it knows.
 * Left to itself the client would know every kind of every model on the class path, loading each of
 * their 322 classes at the first event (5.7 MB of class metadata); this one knows only the kinds
 * the operator watches, and {@code Status}, which a watch's error event carries.
 */
public final class UnreadFields {

  private UnreadFields() {}

  @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
  private interface WithoutManagedFields {}

  @JsonIgnoreProperties(value = "spec", ignoreUnknown = true)
  private interface WithoutSpec {}

  @JsonIgnoreProperties(
      value = {"spec", "status"},
      ignoreUnknown = true)
  private interface MetadataOnly {}

  @JsonIncludeProperties({"phase", "containerStatuses"})
  private interface PhaseAndContainers {}

  @JsonIncludeProperties({"name", "state"})
  private interface NameAndState {}

  /** The kinds whose watch events the operator reads: its informers' and a watch's error. */
  static final List<Class<? extends KubernetesResource>> WATCHED_KINDS =
      List.of(
          BrokerUpgrade.class,
          Deployment.class,
          ReplicaSet.class,
          Pod.class,
          Job.class,
          Status.class);

  /** The client's serialization, with the unread fields skipped and the watched kinds known. */
  public static KubernetesSerialization serialization() {
    ObjectMapper mapper =
        new ObjectMapper()
            .addMixIn(ObjectMeta.class, WithoutManagedFields.class)
            .addMixIn(Pod.class, WithoutSpec.class)
            .addMixIn(PodStatus.class, PhaseAndContainers.class)
            .addMixIn(ContainerStatus.class, NameAndState.class)
            .addMixIn(ReplicaSet.class, MetadataOnly.class);
    mapper.registerModule(decoders());
    KubernetesSerialization serialization = new KubernetesSerialization(mapper, false);
    WATCHED_KINDS.forEach(serialization::registerKubernetesResource);
    return serialization;
  }

  /**
   * The decoders that replace Jackson's: every text as its one shared copy ({@link
   * InternedStrings}); the parts of a pod template the operator copies into its Jobs (volumes,
   * security contexts, variables' sources, pull secrets, tolerations, resources), checks only for
   * presence (probes) or never reads (the rest: ports, host aliases, scheduling and readiness
   * gates, resize policies and the like), selectors' expressions, and the two policies of a Job's
   * spec it never sets, each {@link KeptWhole}. Each spares a typed decoder that Jackson would
   * build at the first list whether or not the field is ever sent, and the objects it would make.
   */
  private static SimpleModule decoders() {
    return new SimpleModule("brokerupgrade-decoders")
        .addDeserializer(String.class, InternedStrings.INSTANCE)
        .addDeserializer(
            Volume.class,
            KeptWhole.named(
                Volume.class, Volume::new, Volume::setAdditionalProperty, Volume::setName))
        .addDeserializer(
            PodSecurityContext.class,
            KeptWhole.of(
                PodSecurityContext.class,
                PodSecurityContext::new,
                PodSecurityContext::setAdditionalProperty))
        .addDeserializer(
            SecurityContext.class,
            KeptWhole.of(
                SecurityContext.class,
                SecurityContext::new,
                SecurityContext::setAdditionalProperty))
        .addDeserializer(
            EnvVarSource.class,
            KeptWhole.of(
                EnvVarSource.class, EnvVarSource::new, EnvVarSource::setAdditionalProperty))
        .addDeserializer(
            EnvFromSource.class,
            KeptWhole.of(
                EnvFromSource.class, EnvFromSource::new, EnvFromSource::setAdditionalProperty))
        .addDeserializer(
            Probe.class, KeptWhole.of(Probe.class, Probe::new, Probe::setAdditionalProperty))
        .addDeserializer(
            Lifecycle.class,
            KeptWhole.of(Lifecycle.class, Lifecycle::new, Lifecycle::setAdditionalProperty))
        .addDeserializer(
            ContainerRestartRule.class,
            KeptWhole.of(
                ContainerRestartRule.class,
                ContainerRestartRule::new,
                ContainerRestartRule::setAdditionalProperty))
        .addDeserializer(
            EphemeralContainer.class,
            KeptWhole.of(
                EphemeralContainer.class,
                EphemeralContainer::new,
                EphemeralContainer::setAdditionalProperty))
        .addDeserializer(
            Affinity.class,
            KeptWhole.of(Affinity.class, Affinity::new, Affinity::setAdditionalProperty))
        .addDeserializer(
            TopologySpreadConstraint.class,
            KeptWhole.of(
                TopologySpreadConstraint.class,
                TopologySpreadConstraint::new,
                TopologySpreadConstraint::setAdditionalProperty))
        .addDeserializer(
            PodDNSConfig.class,
            KeptWhole.of(
                PodDNSConfig.class, PodDNSConfig::new, PodDNSConfig::setAdditionalProperty))
        .addDeserializer(
            HostAlias.class,
            KeptWhole.of(HostAlias.class, HostAlias::new, HostAlias::setAdditionalProperty))
        .addDeserializer(
            LabelSelectorRequirement.class,
            KeptWhole.of(
                LabelSelectorRequirement.class,
                LabelSelectorRequirement::new,
                LabelSelectorRequirement::setAdditionalProperty))
        .addDeserializer(
            LocalObjectReference.class,
            KeptWhole.of(
                LocalObjectReference.class,
                LocalObjectReference::new,
                LocalObjectReference::setAdditionalProperty))
        .addDeserializer(
            PodOS.class, KeptWhole.of(PodOS.class, PodOS::new, PodOS::setAdditionalProperty))
        .addDeserializer(
            PodReadinessGate.class,
            KeptWhole.of(
                PodReadinessGate.class,
                PodReadinessGate::new,
                PodReadinessGate::setAdditionalProperty))
        .addDeserializer(
            PodResourceClaim.class,
            KeptWhole.of(
                PodResourceClaim.class,
                PodResourceClaim::new,
                PodResourceClaim::setAdditionalProperty))
        .addDeserializer(
            PodSchedulingGate.class,
            KeptWhole.of(
                PodSchedulingGate.class,
                PodSchedulingGate::new,
                PodSchedulingGate::setAdditionalProperty))
        .addDeserializer(
            ContainerPort.class,
            KeptWhole.of(
                ContainerPort.class, ContainerPort::new, ContainerPort::setAdditionalProperty))
        .addDeserializer(
            ContainerResizePolicy.class,
            KeptWhole.of(
                ContainerResizePolicy.class,
                ContainerResizePolicy::new,
                ContainerResizePolicy::setAdditionalProperty))
        .addDeserializer(
            ResourceRequirements.class,
            KeptWhole.of(
                ResourceRequirements.class,
                ResourceRequirements::new,
                ResourceRequirements::setAdditionalProperty))
        .addDeserializer(
            Toleration.class,
            KeptWhole.of(Toleration.class, Toleration::new, Toleration::setAdditionalProperty))
        .addDeserializer(
            VolumeDevice.class,
            KeptWhole.of(
                VolumeDevice.class, VolumeDevice::new, VolumeDevice::setAdditionalProperty))
        .addDeserializer(
            PodFailurePolicy.class,
            KeptWhole.of(
                PodFailurePolicy.class,
                PodFailurePolicy::new,
                PodFailurePolicy::setAdditionalProperty))
        .addDeserializer(
            SuccessPolicy.class,
            KeptWhole.of(
                SuccessPolicy.class, SuccessPolicy::new, SuccessPolicy::setAdditionalProperty));
  }
}

package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.plan.Action;
import dev.brokerops.upgrade.plan.ActionRefusal;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the planner's one action against the API server, and says so when the API server
 * refuses it.
 */
final class ActionExecutor {

  /**
   * Who the API server records as the owner of the fields the operator patches on a Deployment (the
   * broker container's image and the auto-migrate variable), in {@code managedFields}: GitOps tools
   * can be told to leave exactly these alone.
   */
  public static final String FIELD_MANAGER = "brokerupgrade-operator";

  private static final Logger LOG = LoggerFactory.getLogger(ActionExecutor.class);

  private final KubernetesClient client;
  private final Consumer<Job> jobCreated;

  /**
   * @param jobCreated told of each Job created, so the planner's next pass sees it before the
   *     informer delivers it (a Running step without its Job means the Job was deleted)
   */
  ActionExecutor(KubernetesClient client, Consumer<Job> jobCreated) {
    this.client = client;
    this.jobCreated = jobCreated;
  }

  /**
   * Empty when the action was carried out; the refusal otherwise. Refusals (RBAC, quota, admission
   * policy, an invalid Job) are answers for the person, not errors to retry blindly: they go to
   * status, where they are retried with backoff and never fall silent as JOSDK's retries would.
   */
  Optional<ActionRefusal> execute(BrokerUpgrade upgrade, Action action) {
    try {
      carryOut(upgrade, action);
      return Optional.empty();
    } catch (KubernetesClientException e) {
      return Optional.of(new ActionRefusal(action, e.getCode(), apiMessage(e)));
    }
  }

  /** The API server's own words when it answered, else the client's. */
  static String apiMessage(KubernetesClientException e) {
    if (e.getStatus() != null
        && e.getStatus().getMessage() != null
        && !e.getStatus().getMessage().isBlank()) {
      return e.getStatus().getMessage();
    }
    return e.getCause() != null && e.getCause().getMessage() != null
        ? e.getCause().getMessage()
        : e.getMessage();
  }

  private void carryOut(BrokerUpgrade upgrade, Action action) {
    String namespace = upgrade.getMetadata().getNamespace();
    if (action instanceof Action.CreateJob create) {
      try {
        jobCreated.accept(client.resource(create.job()).create());
      } catch (KubernetesClientException e) {
        // The name is fixed per run and step: a conflict means the Job exists, which is what we
        // wanted.
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        LOG.debug("Job {}/{} exists already", namespace, create.job().getMetadata().getName());
      }
    } else if (action instanceof Action.DeleteJob delete) {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(delete.name())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
    } else if (action instanceof Action.RolloutDeployment rollout) {
      // One strategic-merge patch: image and variable change together, so the Deployment rolls out
      // once.
      // valueFrom: null removes a reference the variable may have had, which would clash with a
      // literal value.
      Map<String, Object> container =
          Map.of(
              "name", rollout.container(),
              "image", rollout.image(),
              "env",
                  List.of(
                      nullable(Map.of("name", rollout.envName(), "value", rollout.envValue()))));
      Map<String, Object> patch =
          Map.of(
              "spec", Map.of("template", Map.of("spec", Map.of("containers", List.of(container)))));
      // Through an object that names the Deployment: by name alone the client would read it first,
      // one request per rollout for nothing.
      Deployment named =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName(rollout.deployment())
              .withNamespace(namespace)
              .endMetadata()
              .build();
      client
          .apps()
          .deployments()
          .resource(named)
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.STRATEGIC_MERGE)
                  .withFieldManager(FIELD_MANAGER)
                  .build(),
              client.getKubernetesSerialization().asJson(patch));
    }
  }

  private static Map<String, Object> nullable(Map<String, Object> env) {
    var withNull = new java.util.LinkedHashMap<String, Object>(env);
    withNull.put("valueFrom", null);
    return withNull;
  }
}

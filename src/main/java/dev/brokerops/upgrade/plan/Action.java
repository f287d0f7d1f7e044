package dev.brokerops.upgrade.plan;

import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** The one change to the cluster (besides status) that the planner asks for. */
public sealed interface Action {

  record Nothing() implements Action {}

  record CreateJob(Job job) implements Action {}

  /** Deletes a Job that cannot start, so it does not sit Pending until its deadline. */
  record DeleteJob(String name) implements Action {}

  /**
   * Sets the container's image and the auto-migrate variable in one change, which starts one
   * rollout.
   */
  record RolloutDeployment(
      String deployment, String container, String image, String envName, String envValue)
      implements Action {}

  Action NOTHING = new Nothing();
}

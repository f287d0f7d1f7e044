package dev.brokerops.upgrade.plan;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which image repositories a BrokerUpgrade may name in {@code spec.image}: whoever can write a
 * BrokerUpgrade makes the operator run that image with the broker's database credentials, so by
 * default only the repository the Deployment already runs is allowed, and an operator setting
 * ({@value #ENV}) widens it to a list.
 *
 * @param allowedRepositories exact repositories, or prefixes ending in {@code /*}; empty allows
 *     only the Deployment's own repository
 */
public record ImagePolicy(List<String> allowedRepositories) {

  /** The operator setting: comma-separated repositories, {@code registry/org/*} for a prefix. */
  public static final String ENV = "ALLOWED_IMAGE_REPOSITORIES";

  /** The reason a run is blocked for an image repository outside the policy. */
  public static final String IMAGE_NOT_ALLOWED = "ImageNotAllowed";

  /** The default: {@code spec.image} may only name the repository the Deployment already runs. */
  public static final ImagePolicy DEPLOYMENTS_OWN_REPOSITORY = new ImagePolicy(List.of());

  public ImagePolicy {
    allowedRepositories = List.copyOf(allowedRepositories);
  }

  /** The policy from the setting's value; unset or blank is the default. */
  public static ImagePolicy parse(String value) {
    if (value == null || value.isBlank()) {
      return DEPLOYMENTS_OWN_REPOSITORY;
    }
    return new ImagePolicy(
        Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
  }

  /**
   * Why {@code requested} may not be run, or empty when it may: no repository asked for, the one
   * the Deployment runs, or one the setting allows.
   */
  Optional<String> refusal(String requested, String deploymentRepository) {
    if (requested == null
        || requested.isBlank()
        || requested.equals(deploymentRepository)
        || allowedRepositories.stream().anyMatch(allowed -> matches(allowed, requested))) {
      return Optional.empty();
    }
    return Optional.of(
        "spec.image "
            + requested
            + " is not an allowed repository: the Deployment runs "
            + deploymentRepository
            + (allowedRepositories.isEmpty()
                ? ", and only that repository is allowed"
                : ", and the operator allows " + String.join(", ", allowedRepositories))
            + ". An operator administrator can widen "
            + ENV
            + "; or remove spec.image to keep the Deployment's repository");
  }

  private static boolean matches(String allowed, String requested) {
    if (allowed.endsWith("/*")) {
      return requested.startsWith(allowed.substring(0, allowed.length() - 1));
    }
    return allowed.equals(requested);
  }
}

package dev.brokerops.upgrade.plan;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The broker's container in its Deployment, with its image split into repository and tag. */
public record BrokerContainer(Container container, String repository, String tag) {

  /** Either the container, or a sentence saying why it cannot be chosen. */
  public sealed interface Lookup {
    record Found(BrokerContainer container) implements Lookup {}

    record NotFound(String reason, String message) implements Lookup {}
  }

  public static Lookup find(Deployment deployment, String wanted) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    String name = deployment.getMetadata().getName();
    Optional<Container> chosen;
    if (wanted == null || wanted.isBlank()) {
      if (containers.size() != 1) {
        return new Lookup.NotFound(
            "ContainerAmbiguous",
            "Deployment "
                + name
                + " has "
                + containers.size()
                + " containers "
                + names(containers)
                + "; set spec.container to the one that runs the broker");
      }
      chosen = Optional.of(containers.get(0));
    } else {
      chosen = containers.stream().filter(c -> wanted.equals(c.getName())).findFirst();
      if (chosen.isEmpty()) {
        return new Lookup.NotFound(
            "ContainerNotFound",
            "Deployment "
                + name
                + " has no container "
                + wanted
                + "; its containers are "
                + names(containers));
      }
    }
    String image = chosen.get().getImage();
    if (image == null || image.contains("@")) {
      return new Lookup.NotFound(
          "ImageNotTagged",
          "container "
              + chosen.get().getName()
              + " of Deployment "
              + name
              + " runs image "
              + image
              + ", which is pinned by digest or has no tag; the operator reads the running"
              + " version from the image tag");
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon <= slash) {
      return new Lookup.NotFound(
          "ImageNotTagged",
          "container "
              + chosen.get().getName()
              + " of Deployment "
              + name
              + " runs image "
              + image
              + " without a tag; the operator reads the running version from the image tag");
    }
    return new Lookup.Found(
        new BrokerContainer(chosen.get(), image.substring(0, colon), image.substring(colon + 1)));
  }

  public String name() {
    return container.getName();
  }

  /** The tag of an image a step runs, which the operator wrote as {@code repository:tag}. */
  static String tagOf(String stepImage) {
    return stepImage.substring(stepImage.lastIndexOf(':') + 1);
  }

  public Optional<String> env(String variable) {
    return Optional.ofNullable(container.getEnv()).orElse(List.of()).stream()
        .filter(env -> variable.equals(env.getName()))
        .findFirst()
        .map(EnvVar::getValue);
  }

  /**
   * True when the container already runs this image with the variable set to the value, as a
   * rollout sets them.
   */
  public boolean runs(String image, String variable, String value) {
    return Objects.equals(container.getImage(), image)
        && env(variable).filter(value::equals).isPresent();
  }

  private static String names(List<Container> containers) {
    return containers.stream().map(Container::getName).toList().toString();
  }
}

package dev.brokerops.bench.node;

import dev.brokerops.bench.Folders;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Materialises a pod's volumes in its folder: secret, configMap, downwardAPI and projected
 * (including the service-account token, through the TokenRequest API) as files, emptyDir as a
 * shared writable folder. A missing Secret or ConfigMap leaves the pod "ContainerCreating".
 */
final class PodVolumes {

  private final KubernetesClient client;
  private final Path dir;

  PodVolumes(KubernetesClient client, Path podDir) {
    this.client = client;
    this.dir = podDir.resolve("volumes");
  }

  /** Writes every volume of the pod (again, if already there) and returns their folders by name. */
  Map<String, Path> materialise(Pod pod, PodReferences refs) throws ContainerConfigError {
    Map<String, Path> volumes = new HashMap<>();
    for (Volume volume : nullToEmpty(pod.getSpec().getVolumes())) {
      Path target = dir.resolve(volume.getName());
      try {
        if (volume.getEmptyDir() != null) {
          Files.createDirectories(target);
        } else {
          Path fresh = dir.resolve("." + volume.getName() + ".new");
          Folders.delete(fresh);
          Files.createDirectories(fresh);
          write(volume, fresh, pod, refs);
          Folders.delete(target);
          Files.move(fresh, target);
        }
      } catch (IOException e) {
        throw ContainerConfigError.mount(
            "MountVolume.SetUp failed for volume \"" + volume.getName() + "\": " + e.getMessage());
      }
      volumes.put(volume.getName(), target);
    }
    return volumes;
  }

  private void write(Volume volume, Path target, Pod pod, PodReferences refs)
      throws ContainerConfigError, IOException {
    String name = volume.getName();
    if (volume.getSecret() != null) {
      var source = volume.getSecret();
      writeKeys(
          target,
          found(
              "secret",
              source.getSecretName(),
              source.getOptional(),
              refs.secret(source.getSecretName()),
              name),
          source.getItems(),
          name);
    } else if (volume.getConfigMap() != null) {
      var source = volume.getConfigMap();
      writeKeys(
          target,
          found(
              "configmap",
              source.getName(),
              source.getOptional(),
              refs.configMap(source.getName()),
              name),
          source.getItems(),
          name);
    } else if (volume.getDownwardAPI() != null) {
      for (var item : volume.getDownwardAPI().getItems()) {
        writeFile(
            target,
            item.getPath(),
            refs.field(item.getFieldRef()).getBytes(StandardCharsets.UTF_8));
      }
    } else if (volume.getProjected() != null) {
      for (VolumeProjection projection : volume.getProjected().getSources()) {
        writeProjection(target, projection, pod, refs, name);
      }
    } else {
      throw ContainerConfigError.mount(
          "volume \""
              + name
              + "\": only secret, configMap, emptyDir, "
              + "downwardAPI and projected volumes are supported by the bench");
    }
  }

  private void writeProjection(
      Path target, VolumeProjection projection, Pod pod, PodReferences refs, String volumeName)
      throws ContainerConfigError, IOException {
    if (projection.getServiceAccountToken() != null) {
      var source = projection.getServiceAccountToken();
      String account =
          pod.getSpec().getServiceAccountName() == null
              ? "default"
              : pod.getSpec().getServiceAccountName();
      TokenRequest request =
          new TokenRequestBuilder()
              .withNewSpec()
              .withAudiences(
                  source.getAudience() == null ? List.of() : List.of(source.getAudience()))
              .withExpirationSeconds(
                  source.getExpirationSeconds() == null ? 3607L : source.getExpirationSeconds())
              .withNewBoundObjectRef()
              .withApiVersion("v1")
              .withKind("Pod")
              .withName(pod.getMetadata().getName())
              .withUid(pod.getMetadata().getUid())
              .endBoundObjectRef()
              .endSpec()
              .build();
      TokenRequest token =
          client
              .serviceAccounts()
              .inNamespace(refs.namespace())
              .withName(account)
              .tokenRequest(request);
      writeFile(
          target, source.getPath(), token.getStatus().getToken().getBytes(StandardCharsets.UTF_8));
    } else if (projection.getSecret() != null) {
      var source = projection.getSecret();
      writeKeys(
          target,
          found(
              "secret",
              source.getName(),
              source.getOptional(),
              refs.secret(source.getName()),
              volumeName),
          source.getItems(),
          volumeName);
    } else if (projection.getConfigMap() != null) {
      var source = projection.getConfigMap();
      writeKeys(
          target,
          found(
              "configmap",
              source.getName(),
              source.getOptional(),
              refs.configMap(source.getName()),
              volumeName),
          source.getItems(),
          volumeName);
    } else if (projection.getDownwardAPI() != null) {
      for (var item : projection.getDownwardAPI().getItems()) {
        writeFile(
            target,
            item.getPath(),
            refs.field(item.getFieldRef()).getBytes(StandardCharsets.UTF_8));
      }
    } else {
      throw ContainerConfigError.mount(
          "volume \"" + volumeName + "\": projection not supported by the bench");
    }
  }

  /**
   * The source's data; null for a missing optional source; the kubelet's mount error for a missing
   * required one.
   */
  private static Map<String, byte[]> found(
      String kind, String name, Boolean optional, Map<String, byte[]> data, String volumeName)
      throws ContainerConfigError {
    if (data == null && !Boolean.TRUE.equals(optional)) {
      throw ContainerConfigError.mount(
          "MountVolume.SetUp failed for volume \""
              + volumeName
              + "\" : "
              + kind
              + " \""
              + name
              + "\" not found");
    }
    return data;
  }

  private static void writeKeys(
      Path target, Map<String, byte[]> data, List<KeyToPath> items, String volumeName)
      throws IOException, ContainerConfigError {
    if (data == null) {
      return;
    }
    if (items == null || items.isEmpty()) {
      for (var entry : data.entrySet()) {
        writeFile(target, entry.getKey(), entry.getValue());
      }
      return;
    }
    for (KeyToPath item : items) {
      if (!data.containsKey(item.getKey())) {
        throw ContainerConfigError.mount(
            "MountVolume.SetUp failed for volume \""
                + volumeName
                + "\" : key "
                + item.getKey()
                + " not found");
      }
      writeFile(target, item.getPath(), data.get(item.getKey()));
    }
  }

  private static void writeFile(Path target, String relative, byte[] content) throws IOException {
    Path file = target.resolve(relative).normalize();
    if (!file.startsWith(target)) {
      throw new IOException("path " + relative + " leaves the volume");
    }
    Files.createDirectories(file.getParent());
    Files.write(file, content);
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}

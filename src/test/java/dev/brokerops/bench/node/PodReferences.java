package dev.brokerops.bench.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads what a pod refers to (Secrets, ConfigMaps, its own fields) the way the kubelet does. */
final class PodReferences {

  private final KubernetesClient client;
  private final Pod pod;
  private final String podIp;

  PodReferences(KubernetesClient client, Pod pod, String podIp) {
    this.client = client;
    this.pod = pod;
    this.podIp = podIp;
  }

  String namespace() {
    return pod.getMetadata().getNamespace();
  }

  /** The Secret's decoded data, or null when it does not exist. */
  Map<String, byte[]> secret(String name) {
    Secret secret = client.secrets().inNamespace(namespace()).withName(name).get();
    if (secret == null) {
      return null;
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    return data;
  }

  /** The ConfigMap's data, or null when it does not exist. */
  Map<String, byte[]> configMap(String name) {
    ConfigMap configMap = client.configMaps().inNamespace(namespace()).withName(name).get();
    if (configMap == null) {
      return null;
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (configMap.getData() != null) {
      configMap.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    if (configMap.getBinaryData() != null) {
      configMap.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    return data;
  }

  /** The downward API's value of a pod field. */
  String field(ObjectFieldSelector selector) throws ContainerConfigError {
    String path = selector.getFieldPath();
    var meta = pod.getMetadata();
    if (path.startsWith("metadata.labels['") || path.startsWith("metadata.annotations['")) {
      String key = path.substring(path.indexOf("['") + 2, path.length() - 2);
      Map<String, String> map =
          path.startsWith("metadata.labels") ? meta.getLabels() : meta.getAnnotations();
      return map == null ? "" : map.getOrDefault(key, "");
    }
    return switch (path) {
      case "metadata.name" -> meta.getName();
      case "metadata.namespace" -> meta.getNamespace();
      case "metadata.uid" -> meta.getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "status.podIP", "status.podIPs" -> podIp;
      case "status.hostIP", "status.hostIPs" -> NodeAgent.HOST_IP;
      default -> throw ContainerConfigError.config("unsupported fieldRef " + path);
    };
  }
}

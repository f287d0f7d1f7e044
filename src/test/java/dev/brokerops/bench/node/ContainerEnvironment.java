package dev.brokerops.bench.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's environment and argv as the kubelet builds them: the image's defaults, envFrom,
 * then env (later wins), {@code $(VAR)} references expanded, and secret/config-map keys resolved. A
 * missing Secret, ConfigMap or key that is not optional is a {@code CreateContainerConfigError}.
 */
final class ContainerEnvironment {

  private final Map<String, String> variables;
  private final List<String> argv;

  private ContainerEnvironment(Map<String, String> variables, List<String> argv) {
    this.variables = variables;
    this.argv = argv;
  }

  Map<String, String> variables() {
    return variables;
  }

  List<String> argv() {
    return argv;
  }

  static ContainerEnvironment resolve(
      Container container,
      ImageDirectories.Image image,
      PodReferences refs,
      Map<String, String> base)
      throws ContainerConfigError {
    Map<String, String> env = new LinkedHashMap<>(base);
    Map<String, String> defined = new LinkedHashMap<>();
    for (EnvFromSource from : nullToEmpty(container.getEnvFrom())) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      Map<String, byte[]> data;
      if (from.getSecretRef() != null) {
        data = refs.secret(from.getSecretRef().getName());
        if (data == null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
          throw ContainerConfigError.config(
              "secret \"" + from.getSecretRef().getName() + "\" not found");
        }
      } else {
        data = refs.configMap(from.getConfigMapRef().getName());
        if (data == null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
          throw ContainerConfigError.config(
              "configmap \"" + from.getConfigMapRef().getName() + "\" not found");
        }
      }
      if (data != null) {
        data.forEach((k, v) -> defined.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
      }
    }
    for (EnvVar var : nullToEmpty(container.getEnv())) {
      String value =
          var.getValueFrom() != null
              ? valueFrom(var.getName(), var.getValueFrom(), refs)
              : expand(var.getValue() == null ? "" : var.getValue(), merged(env, defined));
      if (value != null) {
        defined.put(var.getName(), value);
      }
    }
    env.putAll(defined);

    List<String> command = nullToEmpty(container.getCommand());
    List<String> args = nullToEmpty(container.getArgs());
    List<String> argv = new ArrayList<>();
    if (command.isEmpty()) {
      argv.addAll(image.entrypoint());
      argv.addAll(args.isEmpty() ? image.cmd() : args);
    } else {
      argv.addAll(command);
      argv.addAll(args);
    }
    if (argv.isEmpty()) {
      throw ContainerConfigError.create(
          "no command specified (the image has no .image/entrypoint)");
    }
    List<String> expanded = argv.stream().map(a -> expand(a, env)).toList();
    return new ContainerEnvironment(env, expanded);
  }

  private static String valueFrom(String name, EnvVarSource source, PodReferences refs)
      throws ContainerConfigError {
    if (source.getSecretKeyRef() != null) {
      var ref = source.getSecretKeyRef();
      return key(
          "secret",
          "Secret",
          ref.getName(),
          ref.getKey(),
          ref.getOptional(),
          refs.secret(ref.getName()),
          refs);
    }
    if (source.getConfigMapKeyRef() != null) {
      var ref = source.getConfigMapKeyRef();
      return key(
          "configmap",
          "ConfigMap",
          ref.getName(),
          ref.getKey(),
          ref.getOptional(),
          refs.configMap(ref.getName()),
          refs);
    }
    if (source.getFieldRef() != null) {
      return refs.field(source.getFieldRef());
    }
    throw ContainerConfigError.config(
        "env " + name + ": resourceFieldRef is not supported by the bench");
  }

  /**
   * One key of a Secret or ConfigMap, with the kubelet's words when it is missing and not optional.
   */
  private static String key(
      String kind,
      String kindTitle,
      String name,
      String key,
      Boolean optional,
      Map<String, byte[]> data,
      PodReferences refs)
      throws ContainerConfigError {
    boolean mayBeMissing = Boolean.TRUE.equals(optional);
    if (data == null) {
      if (mayBeMissing) {
        return null;
      }
      throw ContainerConfigError.config(kind + " \"" + name + "\" not found");
    }
    if (!data.containsKey(key)) {
      if (mayBeMissing) {
        return null;
      }
      throw ContainerConfigError.config(
          "couldn't find key " + key + " in " + kindTitle + " " + refs.namespace() + "/" + name);
    }
    return new String(data.get(key), StandardCharsets.UTF_8);
  }

  /**
   * Kubernetes' {@code $(VAR)} expansion: defined names are replaced, {@code $$} escapes, the rest
   * stays.
   */
  static String expand(String text, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && i + 1 < text.length()) {
        char next = text.charAt(i + 1);
        if (next == '$') {
          out.append('$');
          i += 2;
          continue;
        }
        if (next == '(') {
          int close = text.indexOf(')', i + 2);
          if (close > 0) {
            String name = text.substring(i + 2, close);
            if (env.containsKey(name)) {
              out.append(env.get(name));
              i = close + 1;
              continue;
            }
          }
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  private static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
    Map<String, String> m = new LinkedHashMap<>(a);
    m.putAll(b);
    return m;
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}

package dev.brokerops.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md does not drift from the CRD: every field path of spec and status is named there,
 * every path it names exists, and every default it states is the schema's.
 */
class ApiReferenceTest {

  /** The committed CRD, the one `kubectl apply -k manifests/` installs. */
  static final Path CRD = Path.of("crds", "brokerupgrades.upgrades.brokerops.dev-v1.yml");

  static final Path API_DOC = Path.of("docs", "api.md");

  /**
   * Kubernetes' own types embedded in the spec: their fields are Kubernetes', documented by
   * Kubernetes, so the page names the field and not every field inside it.
   */
  static final Set<String> EMBEDDED_KUBERNETES_TYPES = Set.of("spec.jobs.resources");

  /** A path as the page writes it, at the start of a backticked span. */
  private static final Pattern DOC_PATH =
      Pattern.compile("`((?:spec|status)(?:\\.[A-Za-z][A-Za-z0-9]*(?:\\[\\])?)+)");

  /** A table row whose first cell is one backticked path. */
  private static final Pattern TABLE_ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|(.*)$");

  /** What the page writes for a section whose default is the defaults of its fields. */
  static final String SECTION_DEFAULT = "the defaults of its fields";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Map<String, JSONSchemaProps> crdPaths;
  private static String doc;

  @BeforeAll
  static void read() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(CRD), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getVersions()).as("versions in " + CRD).hasSize(1);
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    crdPaths = new LinkedHashMap<>();
    for (String top : List.of("spec", "status")) {
      root.getProperties()
          .get(top)
          .getProperties()
          .forEach((name, field) -> walk(top + "." + name, field, crdPaths));
    }
    doc = Files.readString(API_DOC);
  }

  @Test
  void everyFieldOfTheCrdIsNamedInTheApiReference() {
    List<String> missing =
        crdPaths.keySet().stream()
            .filter(path -> !documentedPaths().contains(path))
            .map(path -> path + " (in " + CRD + ", not named in " + API_DOC + ")")
            .toList();
    assertThat(missing).as("fields of the CRD that docs/api.md does not name").isEmpty();
  }

  @Test
  void everyFieldTheApiReferenceNamesExistsInTheCrd() {
    List<String> unknown =
        documentedPaths().stream()
            .filter(path -> !crdPaths.containsKey(path))
            .map(path -> path + " (named in " + API_DOC + ", not a field of " + CRD + ")")
            .toList();
    assertThat(unknown).as("fields docs/api.md names that the CRD does not have").isEmpty();
  }

  @Test
  void everyDefaultInTheApiReferenceIsTheSchemaDefault() {
    Map<String, String> documented = documentedDefaults();
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, JSONSchemaProps> field : crdPaths.entrySet()) {
      String path = field.getKey();
      Optional<JsonNode> schemaDefault = effectiveDefault(path);
      String cell = documented.getOrDefault(path, "");
      Matcher backticked = Pattern.compile("^`([^`]*)`$").matcher(cell);
      Optional<String> docDefault =
          backticked.matches() ? Optional.of(backticked.group(1)) : Optional.empty();
      if (cell.equals(SECTION_DEFAULT)) {
        Optional<JsonNode> composed = defaultsOfFields(path);
        if (schemaDefault.isEmpty() || !schemaDefault.equals(composed)) {
          wrong.add(
              path
                  + ": "
                  + API_DOC
                  + " says \""
                  + SECTION_DEFAULT
                  + "\", but the CRD's default "
                  + schemaDefault.map(JsonNode::toString).orElse("(none)")
                  + " is not the defaults of its fields "
                  + composed.map(JsonNode::toString).orElse("(none)"));
        }
      } else if (schemaDefault.isPresent() && docDefault.isEmpty()) {
        wrong.add(
            path
                + ": the CRD defaults it to "
                + schemaDefault.get()
                + ", "
                + API_DOC
                + " gives no default in backticks in its spec table");
      } else if (schemaDefault.isEmpty() && docDefault.isPresent()) {
        wrong.add(
            path
                + ": "
                + API_DOC
                + " gives the default `"
                + docDefault.get()
                + "`, the CRD has none (write a default the operator applies in words)");
      } else if (schemaDefault.isPresent()
          && !schemaDefault.get().equals(parseDocValue(docDefault.get()))) {
        wrong.add(
            path
                + ": "
                + API_DOC
                + " says `"
                + docDefault.get()
                + "`, the CRD says "
                + schemaDefault.get());
      }
    }
    assertThat(wrong).as("defaults in docs/api.md against the CRD").isEmpty();
  }

  @Test
  void theSpecTableCoversEverySpecFieldWithADefaultColumn() {
    Set<String> rows = documentedDefaults().keySet();
    List<String> missing =
        crdPaths.keySet().stream()
            .filter(path -> path.startsWith("spec."))
            .filter(path -> !rows.contains(path))
            .map(path -> path + " has no row of its own in the spec table of " + API_DOC)
            .toList();
    assertThat(missing).isEmpty();
  }

  /** Every path of the schema below {@code path}, with `[]` for the items of an array. */
  private static void walk(String path, JSONSchemaProps schema, Map<String, JSONSchemaProps> out) {
    out.put(path, schema);
    if (EMBEDDED_KUBERNETES_TYPES.contains(path)) {
      return;
    }
    if (schema.getProperties() != null) {
      schema.getProperties().forEach((name, child) -> walk(path + "." + name, child, out));
    }
    JSONSchemaProps items = schema.getItems() == null ? null : schema.getItems().getSchema();
    if (items != null && items.getProperties() != null && !items.getProperties().isEmpty()) {
      items.getProperties().forEach((name, child) -> walk(path + "[]." + name, child, out));
    }
  }

  /** Every spec or status path the page names in backticks, in prose or in a table. */
  private static Set<String> documentedPaths() {
    Set<String> paths = new LinkedHashSet<>();
    Matcher matcher = DOC_PATH.matcher(doc);
    while (matcher.find()) {
      String path = matcher.group(1);
      paths.add(path.endsWith("[]") ? path.substring(0, path.length() - 2) : path);
    }
    return paths;
  }

  /** The rows of the table with a default column: path to what its default cell says. */
  private static Map<String, String> documentedDefaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    int defaultColumn = -1;
    for (String line : doc.lines().toList()) {
      if (line.startsWith("|") && !line.startsWith("|-") && !line.startsWith("|--")) {
        List<String> cells = cells(line);
        int header = cells.indexOf("default");
        if (header >= 0) {
          defaultColumn = header;
          continue;
        }
        Matcher row = TABLE_ROW.matcher(line);
        if (defaultColumn >= 0 && row.matches() && cells.size() > defaultColumn) {
          defaults.put(row.group(1), cells.get(defaultColumn));
        }
      } else if (!line.startsWith("|")) {
        defaultColumn = -1;
      }
    }
    return defaults;
  }

  private static List<String> cells(String line) {
    String inner = line.strip();
    inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
    List<String> cells = new ArrayList<>();
    for (String cell : inner.split("\\|", -1)) {
      cells.add(cell.strip());
    }
    return cells;
  }

  /**
   * The value the API server writes when the field is left out: its own default, or, for a field
   * without one, the value its section's default gives it when the whole section is left out.
   */
  private static Optional<JsonNode> effectiveDefault(String path) {
    JSONSchemaProps schema = crdPaths.get(path);
    if (schema.getDefault() != null) {
      return Optional.of(schema.getDefault());
    }
    int dot = path.lastIndexOf('.');
    String parent = path.substring(0, dot);
    if (!crdPaths.containsKey(parent) || parent.endsWith("[]")) {
      return Optional.empty();
    }
    return Optional.ofNullable(crdPaths.get(parent).getDefault())
        .map(section -> section.get(path.substring(dot + 1)));
  }

  /** The object of the own defaults of the section's fields, if any field has one. */
  private static Optional<JsonNode> defaultsOfFields(String section) {
    var composed = JSON.createObjectNode();
    crdPaths.get(section).getProperties().entrySet().stream()
        .filter(field -> field.getValue().getDefault() != null)
        .forEach(field -> composed.set(field.getKey(), field.getValue().getDefault()));
    return composed.isEmpty() ? Optional.empty() : Optional.of(composed);
  }

  /** `1800`, `false`, `[]` and `["db-migrate"]` are JSON; `Halt` is the string Halt. */
  private static JsonNode parseDocValue(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException notJson) {
      return TextNode.valueOf(text);
    }
  }
}

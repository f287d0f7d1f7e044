package dev.brokerops.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The Argo CD health check (manifests/argocd/health.lua) gives each state the operator really wrote
 * the health docs/gitops.md promises. The samples in src/test/resources/argocd/ are BrokerUpgrades
 * as the API server returned them during the end-to-end tests (kept by ObservedBrokerUpgrades),
 * renamed after what they show.
 */
class ArgoCdHealthCheckTest {

  static final Path SCRIPT = Path.of("manifests", "argocd", "health.lua");
  static final Path SAMPLES = Path.of("src", "test", "resources", "argocd");
  static final Path GUIDE = Path.of("docs", "gitops.md");

  /** Sample file to the health Argo CD should show for it. */
  static final Map<String, String> EXPECTED =
      Map.ofEntries(
          // RollbackE2E, first test: refused, then allowed but unprovable, paused, then run.
          Map.entry("created-no-status.json", "Progressing"),
          Map.entry("blocked-downgrade-not-allowed.json", "Degraded"),
          Map.entry("generation-not-observed.json", "Progressing"),
          Map.entry("blocked-rollback-path-unknown.json", "Degraded"),
          Map.entry("paused.json", "Suspended"),
          Map.entry("running-rollback.json", "Progressing"),
          Map.entry("succeeded-ready.json", "Healthy"),
          // The test stopping the broker's writers: Ready turns False, nothing failed.
          Map.entry("succeeded-broker-unavailable.json", "Progressing"),
          // RollbackE2E, third test: an upgrade to a release that never becomes available.
          Map.entry("running-schema-migration.json", "Progressing"),
          Map.entry("running-rollout.json", "Progressing"),
          Map.entry("running-automatic-rollback.json", "Progressing"),
          Map.entry("rolled-back.json", "Degraded"),
          Map.entry("failed.json", "Degraded"));

  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> eachObservedStateGetsItsHealth() throws IOException {
    String script = Files.readString(SCRIPT);
    return EXPECTED.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            sample ->
                DynamicTest.dynamicTest(
                    sample.getKey() + " is " + sample.getValue(),
                    () -> {
                      JsonNode upgrade = JSON.readTree(SAMPLES.resolve(sample.getKey()).toFile());
                      LuaValue health = evaluate(script, upgrade);
                      assertThat(health.get("status").tojstring())
                          .as(
                              "health of %s (phase %s), message: %s",
                              sample.getKey(),
                              upgrade.path("status").path("phase").asText("none"),
                              health.get("message"))
                          .isEqualTo(sample.getValue());
                      assertThat(health.get("message").isstring())
                          .as("a message for " + sample.getKey())
                          .isTrue();
                      assertThat(health.get("message").tojstring()).isNotBlank();
                    }));
  }

  @Test
  void everySampleHasAnExpectedHealth() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      List<String> samples =
          files
              .map(file -> file.getFileName().toString())
              .filter(name -> name.endsWith(".json"))
              .sorted()
              .toList();
      assertThat(samples)
          .as("samples in " + SAMPLES + " and the health EXPECTED gives them")
          .isEqualTo(EXPECTED.keySet().stream().sorted().toList());
    }
  }

  @Test
  void theGuideShowsTheScriptAsItIs() throws IOException {
    String guide = Files.readString(GUIDE);
    List<String> script = Files.readAllLines(SCRIPT);
    String indented =
        script.stream()
            .map(line -> line.isEmpty() ? "" : "    " + line)
            .collect(Collectors.joining("\n"));
    assertThat(guide)
        .as(GUIDE + " embeds " + SCRIPT + " in its argocd-cm snippet, indented by 4 spaces")
        .contains(indented);
  }

  /** Runs the script as Argo CD does: the object as the global {@code obj}, a table returned. */
  static LuaValue evaluate(String script, JsonNode object) {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(object));
    LuaValue result = globals.load(script, SCRIPT.toString()).call();
    assertThat(result.istable()).as("the script returns a table").isTrue();
    return result;
  }

  private static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        table.set(field.getKey(), toLua(field.getValue()));
      }
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.valueOf(node.asText());
  }
}

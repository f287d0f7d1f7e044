package dev.brokerops.upgrade.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogLineLayoutTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-03-04T05:06:07.008Z");

  private final LoggerContext context = new LoggerContext();

  @Test
  void textIsTimeLevelShortLoggerMessageThenTheUpgradeItIsAbout() {
    String line =
        layout("text")
            .doLayout(
                event(
                    "dev.brokerops.upgrade.transitions",
                    Level.INFO,
                    "step SchemaMigration started",
                    null,
                    Map.of(
                        "namespace", "shop", "name", "pactflow", "run", "r2", "step", "Rollout")));

    assertThat(line)
        .isEqualTo(
            "2026-03-04T05:06:07.008Z INFO  transitions - step SchemaMigration started"
                + " namespace=shop name=pactflow run=r2 step=Rollout"
                + System.lineSeparator());
  }

  @Test
  void textTakesJosdksResourceKeysAsNamespaceAndNameAndShowsNoOtherMdcKey() {
    String line =
        layout("text")
            .doLayout(
                event(
                    "io.javaoperatorsdk.operator.processing.event.ReconciliationDispatcher",
                    Level.WARN,
                    "Error during event processing",
                    null,
                    Map.of(
                        "resource.namespace", "shop",
                        "resource.name", "pactflow",
                        "resource.kind", "BrokerUpgrade")));

    assertThat(line)
        .startsWith("2026-03-04T05:06:07.008Z WARN  ReconciliationDispatcher - Error during")
        .endsWith(" namespace=shop name=pactflow" + System.lineSeparator())
        .doesNotContain("BrokerUpgrade");
  }

  @Test
  void textWithoutContextIsJustTheMessageAndAStackTraceFollows() {
    String text =
        layout("text")
            .doLayout(
                event(
                    "dev.brokerops.upgrade.OperatorMain",
                    Level.ERROR,
                    "could not start",
                    new IllegalStateException("boom"),
                    Map.of()));

    String[] lines = text.split("\\R");
    assertThat(lines[0]).isEqualTo("2026-03-04T05:06:07.008Z ERROR OperatorMain - could not start");
    assertThat(lines[1]).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(lines[2]).contains("at dev.brokerops.upgrade.logging.LogLineLayoutTest");
  }

  @Test
  void textQuotesAValueThatWouldBreakKeyValueParsing() {
    String line =
        layout("text")
            .doLayout(event("x", Level.INFO, "m", null, Map.of("step", "two words\nand \"more\"")));

    assertThat(line).endsWith(" step=\"two words\\nand \\\"more\\\"\"" + System.lineSeparator());
  }

  @Test
  void jsonIsOneValidObjectPerLineWithEveryField() throws Exception {
    Map<String, String> mdc = new LinkedHashMap<>();
    mdc.put("namespace", "shop");
    mdc.put("name", "pactflow");
    mdc.put("run", "r2");
    mdc.put("step", "DataMigration");
    mdc.put("resource.namespace", "shop");
    mdc.put("resource.name", "pactflow");
    mdc.put("resource.kind", "BrokerUpgrade");
    mdc.put("message", "an MDC key never overwrites a fixed field");
    RuntimeException thrown =
        new RuntimeException("first line\nsecond line", new IllegalArgumentException("cause"));

    String text =
        layout("json")
            .doLayout(
                event(
                    "dev.brokerops.upgrade.reconcile.BrokerUpgradeReconciler",
                    Level.WARN,
                    "a message\nover two lines with \"quotes\"",
                    thrown,
                    mdc));

    assertThat(text).endsWith(System.lineSeparator());
    assertThat(text.strip()).doesNotContain("\n").doesNotContain("\r");
    JsonNode line = JSON.readTree(text);
    assertThat(line.get("timestamp").asText()).isEqualTo("2026-03-04T05:06:07.008Z");
    assertThat(line.get("level").asText()).isEqualTo("WARN");
    assertThat(line.get("logger").asText())
        .isEqualTo("dev.brokerops.upgrade.reconcile.BrokerUpgradeReconciler");
    assertThat(line.get("thread").asText()).isEqualTo("reconciler-7");
    assertThat(line.get("message").asText()).isEqualTo("a message\nover two lines with \"quotes\"");
    assertThat(line.get("namespace").asText()).isEqualTo("shop");
    assertThat(line.get("name").asText()).isEqualTo("pactflow");
    assertThat(line.get("run").asText()).isEqualTo("r2");
    assertThat(line.get("step").asText()).isEqualTo("DataMigration");
    assertThat(line.get("resource.kind").asText()).isEqualTo("BrokerUpgrade");
    assertThat(line.has("resource.name")).as("mapped to name").isFalse();
    assertThat(line.has("resource.namespace")).as("mapped to namespace").isFalse();
    assertThat(line.get("stack_trace").asText())
        .startsWith("java.lang.RuntimeException: first line\nsecond line")
        .contains("at dev.brokerops.upgrade.logging.LogLineLayoutTest")
        .contains("Caused by: java.lang.IllegalArgumentException: cause");
  }

  @Test
  void jsonLeavesOutWhatIsNotKnown() throws Exception {
    JsonNode line =
        JSON.readTree(
            layout("JSON")
                .doLayout(
                    event(
                        "dev.brokerops.upgrade.OperatorMain",
                        Level.INFO,
                        "started",
                        null,
                        Map.of("resource.namespace", "no namespace", "resource.name", "a-node"))));

    assertThat(line.has("namespace")).as("JOSDK's word for cluster-scoped").isFalse();
    assertThat(line.get("name").asText()).isEqualTo("a-node");
    assertThat(line.has("run")).isFalse();
    assertThat(line.has("step")).isFalse();
    assertThat(line.has("stack_trace")).isFalse();
  }

  @Test
  void anUnknownFormatIsText() {
    LogLineLayout layout = layout("yaml");

    assertThat(layout.getFormat()).isEqualTo("text");
    assertThat(layout.doLayout(event("x", Level.INFO, "m", null, Map.of()))).doesNotContain("{");
  }

  @Test
  void theOperatorsLoggingUsesThisLayoutWithLogFormatAndLogLevelAndKeepsLibrariesQuiet() {
    LoggerContext shipped = new LoggerContext();
    LogConfiguration.apply(shipped, "json", "debug");

    var root = shipped.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    var appender = (ConsoleAppender<?>) root.getAppender("console");
    var layout = (LogLineLayout) ((LayoutWrappingEncoder<?>) appender.getEncoder()).getLayout();
    assertThat(layout.getFormat()).isEqualTo("json");
    assertThat(appender.getTarget()).isEqualTo("System.out");
    assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
    assertThat(shipped.getLogger("io.javaoperatorsdk").getLevel()).isEqualTo(Level.INFO);
    assertThat(shipped.getLogger("io.fabric8").getLevel()).isEqualTo(Level.WARN);
    assertThat(shipped.getStatusManager().getCopyOfStatusList())
        .noneMatch(status -> status.getLevel() > ch.qos.logback.core.status.Status.INFO);
    shipped.stop();
  }

  @Test
  void withNothingSetTheOperatorLogsTextAtInfo() {
    LoggerContext shipped = new LoggerContext();
    LogConfiguration.apply(shipped, null, null);

    var root = shipped.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    var appender = (ConsoleAppender<?>) root.getAppender("console");
    assertThat(
            ((LogLineLayout) ((LayoutWrappingEncoder<?>) appender.getEncoder()).getLayout())
                .getFormat())
        .isEqualTo("text");
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    shipped.stop();
  }

  @Test
  void aLogLevelThatIsNoLevelIsInfo() {
    LoggerContext shipped = new LoggerContext();
    LogConfiguration.apply(shipped, "text", "verbose");

    assertThat(shipped.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel())
        .as("logback's own reading of 'verbose' would be DEBUG")
        .isEqualTo(Level.INFO);
    shipped.stop();
  }

  @Test
  void logbackFindsTheOperatorsConfigurationAndItGivesWayToAnXmlConfiguration() {
    assertThat(java.util.ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream())
        .anyMatch(provider -> provider.type() == LogConfiguration.class);

    LoggerContext context = new LoggerContext();
    // the test class path has logback-test.xml: the tests' own configuration wins
    assertThat(new LogConfiguration().configure(context))
        .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("console"))
        .isNull();
    context.stop();
  }

  private LogLineLayout layout(String format) {
    LogLineLayout layout = new LogLineLayout();
    layout.setContext(context);
    layout.setFormat(format);
    layout.start();
    return layout;
  }

  private LoggingEvent event(
      String logger, Level level, String message, Throwable thrown, Map<String, String> mdc) {
    LoggingEvent event =
        new LoggingEvent("fqcn", context.getLogger(logger), level, message, thrown, new Object[0]);
    event.setInstant(AT);
    event.setThreadName("reconciler-7");
    event.setMDCPropertyMap(mdc);
    return event;
  }
}

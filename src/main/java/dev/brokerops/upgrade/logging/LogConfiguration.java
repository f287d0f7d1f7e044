package dev.brokerops.upgrade.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The operator's logging, set up in code when Logback starts (named in {@code
 * META-INF/services/ch.qos.logback.classic.spi.Configurator}): one {@link LogLineLayout} line per
 * event on stdout.
 *
 * <ul>
 *   <li>{@code LOG_FORMAT}: {@code text} (the default, for people) or {@code json} (for log
 *       pipelines);
 *   <li>{@code LOG_LEVEL}: the operator's own level (default {@code INFO}; a value that is no level
 *       is {@code INFO}, with a warning). JOSDK stays at {@code INFO}, Fabric8 at {@code WARN}.
 * </ul>
 *
 * <p>Both are read from a system property of that name, else from the environment. A Logback XML
 * configuration still wins when one is asked for: {@code -Dlogback.configurationFile=...}, or a
 * {@code logback-test.xml} on the class path (the tests'). Reading XML is what this class saves:
 * Logback's configuration model and the JDK's XML parser are about 450 classes, 3.5 MB of the
 * operator's resident memory (README, "What the operator costs").
 */
public class LogConfiguration extends ContextAwareBase implements Configurator {

  static final String LEVEL_ENV = "LOG_LEVEL";
  static final String CONFIGURATION_FILE = "logback.configurationFile";
  static final String TEST_CONFIGURATION = "logback-test.xml";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(CONFIGURATION_FILE) != null
        || LogConfiguration.class.getClassLoader().getResource(TEST_CONFIGURATION) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    apply(context, setting(LogLineLayout.FORMAT_ENV), setting(LEVEL_ENV));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** The operator's appender and levels, for this format and level (either may be null). */
  static void apply(LoggerContext context, String format, String level) {
    LogLineLayout layout = new LogLineLayout();
    layout.setContext(context);
    layout.setFormat(Optional.ofNullable(format).orElse("text"));
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder);
    console.start();

    Level rootLevel = level == null ? Level.INFO : Level.toLevel(level.strip(), null);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(rootLevel == null ? Level.INFO : rootLevel);
    root.addAppender(console);
    context.getLogger("io.javaoperatorsdk").setLevel(Level.INFO);
    context.getLogger("io.fabric8").setLevel(Level.WARN);
    // "using resource type 'brokerupgrades' with unstable version 'v1alpha1'": our own CRD
    context
        .getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils")
        .setLevel(Level.ERROR);
    if (rootLevel == null) {
      context
          .getLogger(LogConfiguration.class)
          .warn(
              "{} '{}' is not a log level (TRACE, DEBUG, INFO, WARN, ERROR): using INFO",
              LEVEL_ENV,
              level);
    }
  }

  private static String setting(String name) {
    return Optional.ofNullable(System.getProperty(name)).orElseGet(() -> System.getenv(name));
  }
}

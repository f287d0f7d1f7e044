package dev.brokerops.upgrade.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One log line per event, in one of two formats ({@code LOG_FORMAT}, set by {@link
 * LogConfiguration}, or {@code <format>} in a Logback XML configuration):
 *
 * <ul>
 *   <li>{@code text} (the default), for people: {@code 2026-01-02T10:00:00.123Z INFO transitions -
 *       message namespace=shop name=pactflow run=r1 step=Rollout}, then a stack trace on the
 *       following lines if there is one;
 *   <li>{@code json}, for log pipelines: one JSON object per line with {@code timestamp}, {@code
 *       level}, {@code logger}, {@code thread}, {@code message}, {@code namespace}, {@code name},
 *       {@code run}, {@code step} (when known), every other MDC key, and {@code stack_trace}.
 * </ul>
 *
 * <p>The context comes from the MDC: {@link UpgradeLogContext}'s keys, and JOSDK's {@code
 * resource.namespace} and {@code resource.name} (set around its own work on a resource) as {@code
 * namespace} and {@code name} when ours are not set.
 */
public class LogLineLayout extends LayoutBase<ILoggingEvent> {

  public static final String FORMAT_ENV = "LOG_FORMAT";
  static final String JOSDK_NAMESPACE = "resource.namespace";
  static final String JOSDK_NAME = "resource.name";
  // what JOSDK puts for a cluster-scoped resource
  private static final String JOSDK_NO_NAMESPACE = "no namespace";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
  private static final JsonFactory JSON = new JsonFactory();

  private boolean json = "json".equalsIgnoreCase(System.getenv(FORMAT_ENV));

  /** {@code text} or {@code json} (any case); anything else is text, with a warning. */
  public void setFormat(String format) {
    String value = format == null ? "" : format.strip().toLowerCase(Locale.ROOT);
    json = value.equals("json");
    if (!json && !value.equals("text")) {
      addWarn("log format '" + format + "' is neither text nor json: using text");
    }
  }

  public String getFormat() {
    return json ? "json" : "text";
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return json ? json(event) : text(event);
  }

  private static String text(ILoggingEvent event) {
    StringBuilder line =
        new StringBuilder(128)
            .append(TIME.format(event.getInstant()))
            .append(' ')
            .append(String.format("%-5s", event.getLevel()))
            .append(' ')
            .append(shortName(event.getLoggerName()))
            .append(" - ")
            .append(event.getFormattedMessage());
    context(event.getMDCPropertyMap())
        .forEach(
            (key, value) -> line.append(' ').append(key).append('=').append(quoteIfNeeded(value)));
    line.append(CoreConstants.LINE_SEPARATOR);
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
    }
    return line.toString();
  }

  private static String json(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    Map<String, String> mdc = Optional.ofNullable(event.getMDCPropertyMap()).orElse(Map.of());
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("timestamp", TIME.format(event.getInstant()));
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("message", event.getFormattedMessage());
      Map<String, String> context = context(mdc);
      for (Map.Entry<String, String> field : context.entrySet()) {
        json.writeStringField(field.getKey(), field.getValue());
      }
      for (Map.Entry<String, String> entry : mdc.entrySet()) {
        String key = entry.getKey();
        if (!context.containsKey(key) && !isFixedField(key) && !isMappedJosdkKey(key)) {
          json.writeStringField(key, entry.getValue());
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("stack_trace", ThrowableProxyUtil.asString(thrown));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    // Jackson escapes every line break inside strings: one object, one line.
    return out.append(CoreConstants.LINE_SEPARATOR).toString();
  }

  /** namespace, name, run, step, in that order, each only when known. */
  static Map<String, String> context(Map<String, String> mdc) {
    Map<String, String> context = new LinkedHashMap<>();
    if (mdc == null) {
      return context;
    }
    String josdkNamespace = mdc.get(JOSDK_NAMESPACE);
    putIfPresent(
        context,
        UpgradeLogContext.NAMESPACE,
        Optional.ofNullable(mdc.get(UpgradeLogContext.NAMESPACE))
            .orElse(JOSDK_NO_NAMESPACE.equals(josdkNamespace) ? null : josdkNamespace));
    putIfPresent(
        context,
        UpgradeLogContext.NAME,
        Optional.ofNullable(mdc.get(UpgradeLogContext.NAME)).orElse(mdc.get(JOSDK_NAME)));
    putIfPresent(context, UpgradeLogContext.RUN, mdc.get(UpgradeLogContext.RUN));
    putIfPresent(context, UpgradeLogContext.STEP, mdc.get(UpgradeLogContext.STEP));
    return context;
  }

  private static void putIfPresent(Map<String, String> context, String key, String value) {
    if (value != null && !value.isBlank()) {
      context.put(key, value);
    }
  }

  private static boolean isFixedField(String key) {
    return switch (key) {
      case "timestamp", "level", "logger", "thread", "message", "stack_trace" -> true;
      default -> false;
    };
  }

  private static boolean isMappedJosdkKey(String key) {
    return key.equals(JOSDK_NAMESPACE) || key.equals(JOSDK_NAME);
  }

  /** {@code dev.brokerops.upgrade.transitions} as {@code transitions}. */
  private static String shortName(String logger) {
    return logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
  }

  private static String quoteIfNeeded(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isWhitespace(c) || c == '"' || c == '=') {
        return '"'
            + value
                .replace("\\", "\\\\")
                .replace("\"", "\\\"")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            + '"';
      }
    }
    return value;
  }
}

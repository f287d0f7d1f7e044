package dev.brokerops.upgrade.plan;

import java.util.regex.Pattern;

/** Makes a Job's output fit for status and events: secrets masked, length bounded. */
public final class MessageRedactor {

  public static final int MAX_LENGTH = 1024;

  // user:password@ in URLs, as in PACTFLOW_DATABASE_URL=postgres://user:password@host/db
  private static final Pattern URL_CREDENTIALS =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^\\s:/@]+:[^\\s@/]+@");
  // KEY=value and key: value where the key names a secret
  private static final Pattern SECRET_ASSIGNMENT =
      Pattern.compile(
          "(?i)\\b([A-Z0-9_.-]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIALS?|LICEN[CS]E))"
              + "(\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|\\S+)");
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

  private MessageRedactor() {}

  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String masked = URL_CREDENTIALS.matcher(text).replaceAll("$1***:***@");
    masked = SECRET_ASSIGNMENT.matcher(masked).replaceAll("$1$2***");
    masked = BEARER.matcher(masked).replaceAll("$1***");
    masked = masked.strip();
    if (masked.length() > MAX_LENGTH) {
      // The end of a log says why it failed; keep that.
      masked = "…" + masked.substring(masked.length() - MAX_LENGTH + 1);
    }
    return masked;
  }
}

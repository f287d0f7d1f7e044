package dev.brokerops.upgrade.plan;

import java.util.regex.Pattern;

/** Makes a Job's output fit for status and events: secrets masked, length bounded. */
public final class MessageRedactor {

  public static final int MAX_LENGTH = 1024;

  // The names that mark a value as secret, wherever they end a key, flag or parameter name.
  private static final String SECRET_NAME =
      "(?:PASSWORD|PASSWD|SECRET|TOKEN|API[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIALS?|LICEN[CS]E)";

  // user:password@ in URLs, as in PACTFLOW_DATABASE_URL=postgres://user:password@host/db
  private static final Pattern URL_CREDENTIALS =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^\\s:/@]+:[^\\s@/]+@");
  // ?token=abc&page=2 in a URL: a query value cannot hold a raw & (it would be %26), so the
  // mask stops there and the other parameters stay readable.
  private static final Pattern QUERY_SECRET =
      Pattern.compile("(?i)([?&][a-z0-9_.-]*" + SECRET_NAME + "=)[^&#\\s]+");
  // "password": "…" in JSON (also escaped, as JSON inside a JSON log line), 'password': '…' in a
  // Python dict, "password" => "…" in a Ruby hash; string and number values.
  private static final Pattern QUOTED_KEY_SECRET =
      Pattern.compile(
          "(?i)((\\\\?[\"'])[a-z0-9_.-]*"
              + SECRET_NAME
              + "\\2\\s*(?::|=>)\\s*)"
              + "(\"(?:[^\"\\\\]|\\\\.)*\"" // "s3cr3t"
              + "|\\\\\"(?:[^\"\\\\]|\\\\[^\"])*\\\\\"" // \"s3cr3t\"
              + "|'(?:[^'\\\\]|\\\\.)*'" // 's3cr3t'
              + "|-?\\d[\\w.+-]*)"); // 1234
  // --password x and --db-password=x on a command line; not -p, which is a port as often as not
  // (psql -p 5432), and not --password-file, whose value is a path.
  private static final Pattern FLAG_SECRET =
      Pattern.compile(
          "(?i)(--(?:[a-z0-9]+-)*" + SECRET_NAME + "(?:=|\\s+))(?!--)(\"[^\"]*\"|'[^']*'|\\S+)");
  // KEY=value and key: value where the key names a secret; a value masked by a pattern above is
  // left as it is, so that what follows it (&page=2) is not swallowed.
  private static final Pattern SECRET_ASSIGNMENT =
      Pattern.compile(
          "(?i)\\b([A-Z0-9_.-]*"
              + SECRET_NAME
              + ")(\\s*[=:]\\s*)(?![\"']?\\*\\*\\*)(\"[^\"]*\"|'[^']*'|\\S+)");
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

  private MessageRedactor() {}

  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String masked = URL_CREDENTIALS.matcher(text).replaceAll("$1***:***@");
    masked = QUERY_SECRET.matcher(masked).replaceAll("$1***");
    masked = QUOTED_KEY_SECRET.matcher(masked).replaceAll("$1$2***$2");
    masked = FLAG_SECRET.matcher(masked).replaceAll("$1***");
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

package dev.brokerops.upgrade.plan;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PactFlow image tag, MAJOR.MINOR.PATCH with an optional -suffix, ordered as semantic versions.
 */
public record Version(int major, int minor, int patch, String suffix)
    implements Comparable<Version> {

  private static final Pattern SHAPE =
      Pattern.compile("^([0-9]+)\\.([0-9]+)\\.([0-9]+)(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?$");

  private static final Comparator<Version> ORDER =
      Comparator.comparingInt(Version::major)
          .thenComparingInt(Version::minor)
          .thenComparingInt(Version::patch)
          // A pre-release (2.0.0-rc.1) comes before its release (2.0.0), as in semver.
          .thenComparing(Version::suffix, Comparator.nullsLast(Version::compareSuffixes));

  public static Optional<Version> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher matcher = SHAPE.matcher(text.trim());
    if (!matcher.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Version(
              Integer.parseInt(matcher.group(1)),
              Integer.parseInt(matcher.group(2)),
              Integer.parseInt(matcher.group(3)),
              matcher.group(4)));
    } catch (NumberFormatException tooLong) {
      return Optional.empty();
    }
  }

  public static Version of(String text) {
    return parse(text)
        .orElseThrow(
            () -> new IllegalArgumentException("not a MAJOR.MINOR.PATCH version: " + text));
  }

  public boolean isPreRelease() {
    return suffix != null;
  }

  @Override
  public int compareTo(Version other) {
    return ORDER.compare(this, other);
  }

  public boolean isNewerThan(Version other) {
    return compareTo(other) > 0;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (suffix == null ? "" : "-" + suffix);
  }

  // semver §11: dot-separated identifiers, numeric ones compared as numbers and before alphanumeric
  // ones.
  private static int compareSuffixes(String left, String right) {
    String[] a = left.split("\\.");
    String[] b = right.split("\\.");
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      boolean aNumeric = a[i].matches("[0-9]+");
      boolean bNumeric = b[i].matches("[0-9]+");
      int result;
      if (aNumeric && bNumeric) {
        result = new java.math.BigInteger(a[i]).compareTo(new java.math.BigInteger(b[i]));
      } else if (aNumeric != bNumeric) {
        result = aNumeric ? -1 : 1;
      } else {
        result = a[i].compareTo(b[i]);
      }
      if (result != 0) {
        return result;
      }
    }
    return Integer.compare(a.length, b.length);
  }
}

package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.RunType;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The answer of the {@link HopPlanner}: the hops of a run, nothing to do, or why the path is
 * refused.
 */
public sealed interface VersionPath {

  /** Current and target are the same version. */
  record AlreadyThere() implements VersionPath {}

  /** A run of the given type through these hops, the last one being the target. */
  record Hops(RunType type, List<Version> hops) implements VersionPath {
    public List<String> asStrings() {
      return hops.stream().map(Version::toString).collect(Collectors.toList());
    }
  }

  /** The path is not allowed or cannot be proven; the message says what to set. */
  record Blocked(String reason, String message) implements VersionPath {}
}

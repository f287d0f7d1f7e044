package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"2.4.1", "0.0.0", "10.20.30", "2.5.0-rc.1", "2.5.0-beta-2", "1.0.0-20260101.abc"})
  void parsesTheTagsPactflowUses(String tag) {
    assertThat(Version.parse(tag)).map(Version::toString).contains(tag);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "2.4",
        "v2.4.1",
        "2.4.1.0",
        "latest",
        "2.4.1-",
        "2.4.x",
        "2.4.1+build",
        "99999999999.0.0"
      })
  void refusesAnythingElse(String tag) {
    assertThat(Version.parse(tag)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "1.9.0,1.10.0",
    "1.10.9,2.0.0",
    "2.0.0-rc.1,2.0.0",
    "2.0.0-rc.2,2.0.0-rc.10",
    "2.0.0-1,2.0.0-alpha",
    "2.4.1,2.4.2"
  })
  void ordersAsSemanticVersions(String lower, String higher) {
    assertThat(Version.of(lower)).isLessThan(Version.of(higher));
    assertThat(Version.of(higher).isNewerThan(Version.of(lower))).isTrue();
  }

  @Test
  void sortsNumericallyNotAsText() {
    List<Version> sorted = Stream.of("1.10.0", "1.9.3", "1.2.0").map(Version::of).sorted().toList();
    assertThat(sorted).extracting(Version::toString).containsExactly("1.2.0", "1.9.3", "1.10.0");
  }
}

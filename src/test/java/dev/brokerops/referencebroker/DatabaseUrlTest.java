package dev.brokerops.referencebroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PACTFLOW_DATABASE_URL parsing: both schemes, encoded credentials, and no password in any message.
 */
class DatabaseUrlTest {

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "postgresql"})
  void turnsPactflowsUrlIntoJdbcTerms(String scheme) {
    DatabaseUrl url = DatabaseUrl.parse(scheme + "://broker:s%40cret+x@db.example:6543/pactflow");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/pactflow");
    assertThat(url.user()).isEqualTo("broker");
    assertThat(url.password()).isEqualTo("s@cret+x");
  }

  @Test
  void defaultsThePortAndKeepsAnUnencodedAtInThePassword() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://broker:p@ss@db/pactflow");

    assertThat(url.port()).isEqualTo(5432);
    assertThat(url.password()).isEqualTo("p@ss");
    assertThat(url.host()).isEqualTo("db");
  }

  @Test
  void neverShowsThePassword() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://broker:hunter2@db:5432/pactflow");

    assertThat(url.toString()).doesNotContain("hunter2");
    assertThat(url.location()).doesNotContain("hunter2");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mysql://u:hunter2@h:1/d",
        "postgres://u:hunter2@h:99999/d",
        "postgres://u:hunter2@h:1",
        "postgres://u:hunter2@h:1/",
        "postgres://hunter2",
        "postgres://u:hunter2%zz@h/d",
        "hunter2",
        ""
      })
  void refusesWhatItCannotParseWithoutQuotingIt(String text) {
    assertThatThrownBy(() -> DatabaseUrl.parse(text))
        .isInstanceOf(BrokerFailure.class)
        .hasMessageContaining("PACTFLOW_DATABASE_URL")
        .hasMessageNotContaining("hunter2");
  }
}

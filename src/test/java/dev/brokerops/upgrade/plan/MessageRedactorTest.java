package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageRedactorTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "connect to postgres://pactflow:s3cr3t@db:5432/pf failed|connect to postgres://***:***@db:5432/pf failed",
        "PACTFLOW_DATABASE_PASSWORD=s3cr3t|PACTFLOW_DATABASE_PASSWORD=***",
        "api_key: s3cr3t|api_key: ***",
        "Authorization: Bearer abc.def.ghi|Authorization: Bearer ***",
        "migration 20240101 failed|migration 20240101 failed"
      })
  void masksSecrets(String raw, String masked) {
    assertThat(MessageRedactor.redact(raw)).isEqualTo(masked);
  }

  @Test
  void keepsTheEndOfALongLog() {
    String log = "x".repeat(5000) + " the real error";

    assertThat(MessageRedactor.redact(log))
        .hasSize(MessageRedactor.MAX_LENGTH)
        .endsWith("the real error");
  }
}

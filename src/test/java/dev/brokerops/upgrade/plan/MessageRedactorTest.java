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

  // Backquote as the quote character: the cases themselves hold ' and ".
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // secret-named keys in JSON, with and without spaces, strings and numbers
        "{\"user\":\"pf\",\"password\":\"s3cr3t\"}|{\"user\":\"pf\",\"password\":\"***\"}",
        "{\"token\" : \"abc.def\", \"n\": 1}|{\"token\" : \"***\", \"n\": 1}",
        "{\"apiKey\":\"k-123\",\"client_secret\":\"xyz\"}|{\"apiKey\":\"***\",\"client_secret\":\"***\"}",
        "{\"accessToken\":\"a \\\"quoted\\\" b\"}|{\"accessToken\":\"***\"}",
        "{\"secret\": 123456}|{\"secret\": \"***\"}",
        // JSON escaped inside a JSON log line, a Python dict, a Ruby hash
        "{\"msg\":\"{\\\"password\\\":\\\"s3cr3t\\\"}\"}|{\"msg\":\"{\\\"password\\\":\\\"***\\\"}\"}",
        "{'password': 's3cr3t'}|{'password': '***'}",
        "{\"password\" => \"s3cr3t\"}|{\"password\" => \"***\"}",
        // secret-named flags
        "pactflow-cli --password s3cr3t --user pf|pactflow-cli --password *** --user pf",
        "pactflow-cli --password=s3cr3t|pactflow-cli --password=***",
        "login --api-key k-123 --db-password 'a b' --token \"c d\"|login --api-key *** --db-password *** --token ***",
        // secret-named query parameters: the mask stops at the next parameter
        "GET /pacts?token=abc&page=2 failed|GET /pacts?token=***&page=2 failed",
        "https://broker/x?page=2&access_token=abc#top|https://broker/x?page=2&access_token=***#top",
        "retry with secret=abc&x=1|retry with secret=***",
        // ordinary text stays as it was
        "the token expired after 3600 s; password rotation is due|the token expired after 3600 s; password rotation is due",
        "psql -p 5432 -U pactflow -c 'select 1'|psql -p 5432 -U pactflow -c 'select 1'",
        "serve --password-file /etc/pf/pw --token-ttl 3600|serve --password-file /etc/pf/pw --token-ttl 3600",
        "{\"secretName\":\"pactflow-db\",\"tokens\":3}|{\"secretName\":\"pactflow-db\",\"tokens\":3}",
        "GET /pacts?page=2&size=100 returned 200|GET /pacts?page=2&size=100 returned 200",
        "--password --verbose|--password --verbose"
      })
  void masksSecretsInJsonFlagsAndQueries(String raw, String masked) {
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

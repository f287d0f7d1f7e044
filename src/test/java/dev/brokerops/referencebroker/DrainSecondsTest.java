package dev.brokerops.referencebroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** DRAIN_SECONDS parsing: whole and fractional seconds, and a clear refusal of anything else. */
class DrainSecondsTest {

  @ParameterizedTest
  @CsvSource({"0, 0", "8, 8000", " 2.5 , 2500", "0.125, 125"})
  void readsSecondsWithUpToMillisecondPrecision(String text, long millis) {
    assertThat(ServeCommand.parseDrain(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "ten", "1e3", "2.5s", "0.0001"})
  void refusesWhatIsNotAPlainNumberOfSeconds(String text) {
    assertThatThrownBy(() -> ServeCommand.parseDrain(text))
        .isInstanceOf(BrokerFailure.class)
        .hasMessageContaining("DRAIN_SECONDS must be a number of seconds");
  }
}

package dev.brokerops.referencebroker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a broker's writer did: every write it attempted, the ones the database acknowledged (each
 * must be in the database afterwards) and the ones that failed. Served as JSON and logged on exit.
 */
public record WriterCounters(
    String writerId,
    String version,
    long attempted,
    long acknowledged,
    long errors,
    String lastError,
    boolean stopped) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads what {@link #toJson()} wrote, e.g. from the counters endpoint or the final log line. */
  public static WriterCounters fromJson(String json) {
    try {
      return JSON.readValue(json, WriterCounters.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Not writer counters: " + json, e);
    }
  }
}

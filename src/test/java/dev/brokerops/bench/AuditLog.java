package dev.brokerops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the bench API server's audit log (JSON lines, see {@link ControlPlane#AUDIT_POLICY}): who
 * did what to which object, when the request arrived and when its response was complete, in
 * microseconds. Read from a {@link #mark()} on, so a caller sees only its own stretch of a long
 * log.
 */
public final class AuditLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The verbs that change something. */
  public static final Set<String> WRITES = Set.of("create", "update", "patch", "delete");

  private final Path file;

  public AuditLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Where the log ends now: read from here to see only what happens from now on. */
  public long mark() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every complete record from {@code offset} to the end of the log. */
  public List<Event> readFrom(long offset) {
    List<Event> events = new ArrayList<>();
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (offset >= length) {
        return events;
      }
      raf.seek(offset);
      byte[] bytes = new byte[Math.toIntExact(length - offset)];
      raf.readFully(bytes);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          // a line without its newline is still being written: left for the next read
          String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
          start = i + 1;
          if (!line.isBlank()) {
            events.add(Event.parse(line));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log " + file, e);
    }
    return events;
  }

  /**
   * One request as the API server audited it.
   *
   * @param user the authenticated user name ({@code system:serviceaccount:NS:NAME} for a pod)
   * @param userAgent the client's user agent (kube-controller-manager names the controller in it)
   * @param resource the resource (plural), empty for a non-resource URL
   * @param subresource e.g. {@code status}, empty for none
   * @param received when the API server received the request
   * @param completed when its response was complete
   * @param requestObject the request body, for the policy's {@code RequestResponse} resources
   * @param responseObject the response body, for the same
   */
  public record Event(
      String user,
      String userAgent,
      String verb,
      String apiGroup,
      String resource,
      String subresource,
      String namespace,
      String name,
      String uri,
      int code,
      Instant received,
      Instant completed,
      JsonNode requestObject,
      JsonNode responseObject) {

    static Event parse(String line) {
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        throw new UncheckedIOException("not an audit record: " + line, e);
      }
      JsonNode ref = node.path("objectRef");
      return new Event(
          node.path("user").path("username").asText(""),
          node.path("userAgent").asText(""),
          node.path("verb").asText(""),
          ref.path("apiGroup").asText(""),
          ref.path("resource").asText(""),
          ref.path("subresource").asText(""),
          ref.path("namespace").asText(""),
          ref.path("name").asText(""),
          node.path("requestURI").asText(""),
          node.path("responseStatus").path("code").asInt(0),
          Instant.parse(node.path("requestReceivedTimestamp").asText()),
          Instant.parse(node.path("stageTimestamp").asText()),
          node.get("requestObject"),
          node.get("responseObject"));
    }

    public boolean isWrite() {
      return WRITES.contains(verb);
    }

    /** {@code resource} or {@code resource/subresource}, as RBAC names it. */
    public String resourcePath() {
      return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    /** How long the API server took to answer. */
    public Duration took() {
      return Duration.between(received, completed);
    }

    /** The response body, when the policy kept it. */
    public Optional<JsonNode> response() {
      return Optional.ofNullable(responseObject);
    }

    public boolean succeeded() {
      return code >= 200 && code < 300;
    }
  }
}

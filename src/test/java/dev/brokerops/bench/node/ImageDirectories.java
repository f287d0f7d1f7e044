package dev.brokerops.bench.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The bench's image store: image {@code REPOSITORY:TAG} is the folder {@code
 * <root>/REPOSITORY/TAG/}. Its {@code bin/} goes first on PATH, {@code .image/entrypoint} (and
 * optionally {@code .image/cmd}) hold the image's ENTRYPOINT and CMD one argument a line, and every
 * other top-level folder is shown at {@code /} inside the container.
 */
public final class ImageDirectories {

  private final Path root;

  public ImageDirectories(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** The image's folder, or empty when the bench has no such image (the kubelet's "not found"). */
  public Optional<Image> find(String reference) {
    if (reference == null || reference.isBlank() || reference.contains("@")) {
      return Optional.empty();
    }
    int slash = reference.lastIndexOf('/');
    int colon = reference.lastIndexOf(':');
    String repository = colon > slash ? reference.substring(0, colon) : reference;
    String tag = colon > slash ? reference.substring(colon + 1) : "latest";
    Path dir = root.resolve(repository).resolve(tag).normalize();
    if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
      return Optional.empty();
    }
    return Optional.of(new Image(reference, dir));
  }

  /** One image folder. */
  public record Image(String reference, Path dir) {

    public Path bin() {
      return dir.resolve("bin");
    }

    public List<String> entrypoint() {
      return lines(".image/entrypoint");
    }

    public List<String> cmd() {
      return lines(".image/cmd");
    }

    /** Top-level folders that the image shows at {@code /}. */
    public List<String> rootEntries() {
      try (var entries = Files.list(dir)) {
        return entries
            .filter(Files::isDirectory)
            .map(p -> p.getFileName().toString())
            .filter(name -> !name.startsWith(".") && !name.equals("bin"))
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private List<String> lines(String file) {
      Path path = dir.resolve(file);
      try {
        return Files.exists(path)
            ? Files.readAllLines(path).stream().filter(l -> !l.isBlank()).toList()
            : List.of();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

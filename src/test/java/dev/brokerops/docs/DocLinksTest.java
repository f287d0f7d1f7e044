package dev.brokerops.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ stand alone: every link points at a file of this repository that exists (and
 * at a heading of it that exists), never outside it, so a clone reads whole.
 */
class DocLinksTest {

  static final Path ROOT = Path.of("").toAbsolutePath().normalize();

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern AUTOLINK = Pattern.compile("<(https?://[^>]+)>");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");

  @Test
  void everyLinkOfTheDocsIsAFileOfTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      String text = Files.readString(page);
      Matcher autolink = AUTOLINK.matcher(text);
      while (autolink.find()) {
        broken.add(ROOT.relativize(page) + ": " + autolink.group(1) + " leaves the repository");
      }
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        String target = link.group(1);
        String problem = problem(page, target);
        if (problem != null) {
          broken.add(ROOT.relativize(page) + ": " + target + " " + problem);
        }
      }
    }
    assertThat(broken).as("links in README.md and docs/").isEmpty();
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** Why the link is not a file (and heading) of the repository, or null when it is. */
  private static String problem(Path page, String target) throws IOException {
    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return "leaves the repository (a clone has only its own files)";
    }
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "leaves the repository";
    }
    if (!Files.exists(resolved)) {
      return "does not exist";
    }
    if (anchor != null && !anchors(resolved).contains(anchor)) {
      return "names no heading of " + ROOT.relativize(resolved);
    }
    return null;
  }

  /** GitHub's anchors for the headings of a Markdown file. */
  private static List<String> anchors(Path file) throws IOException {
    List<String> anchors = new ArrayList<>();
    if (!file.toString().endsWith(".md")) {
      return anchors;
    }
    for (String line : Files.readAllLines(file)) {
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        anchors.add(
            heading
                .group(1)
                .strip()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-'));
      }
    }
    return anchors;
  }
}

package dev.brokerops.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The benchmark's one table: each figure with its unit, the target it is held to (if any) and
 * whether it met it. Printed for a person, written as CSV for a machine.
 */
public final class ResultTable {

  /** What a figure is held to: at most, below, or exactly a value. */
  public record Target(String text, java.util.function.DoublePredicate met) {

    public static Target atMost(double limit, String unit) {
      return new Target("<= " + number(limit) + " " + unit, value -> value <= limit);
    }

    public static Target below(double limit, String unit) {
      return new Target("< " + number(limit) + " " + unit, value -> value < limit);
    }

    public static Target exactly(double expected, String unit) {
      return new Target(
          "= " + number(expected) + (unit.isEmpty() ? "" : " " + unit), value -> value == expected);
    }
  }

  /** One figure. {@code target} is empty for a figure shown for context. */
  public record Row(
      String scenario,
      String figure,
      double value,
      String unit,
      Optional<Target> target,
      String note) {

    /** "yes", "NO", or "" when the figure has no target. */
    public String met() {
      return target.map(t -> t.met().test(value) ? "yes" : "NO").orElse("");
    }
  }

  private final List<String> header = new ArrayList<>();
  private final List<Row> rows = new ArrayList<>();

  /** A line printed above the table (date, load, parameters). */
  public void header(String line) {
    header.add(line);
  }

  public void add(String scenario, String figure, double value, String unit, Target target) {
    add(scenario, figure, value, unit, target, "");
  }

  public void add(
      String scenario, String figure, double value, String unit, Target target, String note) {
    rows.add(new Row(scenario, figure, value, unit, Optional.ofNullable(target), note));
  }

  /** A figure shown for context, held to no target. */
  public void info(String scenario, String figure, double value, String unit) {
    info(scenario, figure, value, unit, "");
  }

  public void info(String scenario, String figure, double value, String unit, String note) {
    rows.add(new Row(scenario, figure, value, unit, Optional.empty(), note));
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  public List<String> headerLines() {
    return List.copyOf(header);
  }

  /** The rows of one scenario whose figure starts with {@code prefix}. */
  public List<Row> find(String scenario, String prefix) {
    return rows.stream()
        .filter(r -> r.scenario().equals(scenario) && r.figure().startsWith(prefix))
        .toList();
  }

  /** The table as a person reads it: columns aligned, targets beside the figures. */
  public String render() {
    int scenarioWidth = width(rows.stream().map(Row::scenario).toList(), "scenario");
    int figureWidth = width(rows.stream().map(Row::figure).toList(), "figure");
    int valueWidth = width(rows.stream().map(r -> number(r.value())).toList(), "value");
    int unitWidth = width(rows.stream().map(Row::unit).toList(), "unit");
    int targetWidth =
        width(rows.stream().map(r -> r.target().map(Target::text).orElse("")).toList(), "target");
    String format =
        "%-"
            + scenarioWidth
            + "s  %-"
            + figureWidth
            + "s  %"
            + valueWidth
            + "s  %-"
            + unitWidth
            + "s  %-"
            + targetWidth
            + "s  %-3s  %s%n";
    StringBuilder out = new StringBuilder();
    header.forEach(line -> out.append(line).append('\n'));
    out.append(String.format(format, "scenario", "figure", "value", "unit", "target", "met", ""));
    String previous = "";
    for (Row row : rows) {
      out.append(
          String.format(
              format,
              row.scenario().equals(previous) ? "" : row.scenario(),
              row.figure(),
              number(row.value()),
              row.unit(),
              row.target().map(Target::text).orElse(""),
              row.met(),
              row.note()));
      previous = row.scenario();
    }
    return out.toString();
  }

  /** Writes the rows as CSV (header lines as {@code #} comments) and returns the file. */
  public Path writeCsv(Path file) {
    StringBuilder csv = new StringBuilder();
    header.forEach(line -> csv.append("# ").append(line).append('\n'));
    csv.append("scenario,figure,value,unit,target,met,note\n");
    for (Row row : rows) {
      csv.append(
          String.join(
                  ",",
                  csvField(row.scenario()),
                  csvField(row.figure()),
                  csvNumber(row.value()),
                  csvField(row.unit()),
                  csvField(row.target().map(Target::text).orElse("")),
                  row.met(),
                  csvField(row.note()))
              + "\n");
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** One row as {@link #writeCsv} wrote it: every column as text, the value as a number. */
  public record CsvRow(
      String scenario,
      String figure,
      double value,
      String unit,
      String target,
      String met,
      String note) {}

  /** The rows of a CSV this class wrote (header and comment lines skipped). */
  public static List<CsvRow> readCsv(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines.stream()
        .filter(line -> !line.startsWith("#") && !line.startsWith("scenario,"))
        .filter(line -> !line.isBlank())
        .map(ResultTable::csvFields)
        .map(
            f ->
                new CsvRow(
                    f.get(0),
                    f.get(1),
                    f.get(2).equals("n/a") ? Double.NaN : Double.parseDouble(f.get(2)),
                    f.get(3),
                    f.get(4),
                    f.get(5),
                    f.get(6)))
        .toList();
  }

  private static List<String> csvFields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  /** A figure as printed: whole numbers without decimals, others with up to three significant. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.valueOf((long) value);
    }
    double magnitude = Math.abs(value);
    String pattern = magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, pattern, value);
  }

  private static String csvNumber(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.valueOf((long) value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static int width(List<String> values, String title) {
    return Math.max(title.length(), values.stream().mapToInt(String::length).max().orElse(0));
  }

  private static String csvField(String value) {
    return value.contains(",") || value.contains("\"")
        ? "\"" + value.replace("\"", "\"\"") + "\""
        : value;
  }
}

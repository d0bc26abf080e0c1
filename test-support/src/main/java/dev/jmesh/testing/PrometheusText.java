package dev.jmesh.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small parser of the Prometheus text format, enough for tests: samples with their labels. */
public final class PrometheusText {

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public boolean has(Map<String, String> expected) {
      for (Map.Entry<String, String> e : expected.entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Sample> samples = new ArrayList<>();
  private final Map<String, String> types = new LinkedHashMap<>();

  public PrometheusText(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
        continue;
      }
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      samples.add(parse(line));
    }
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The declared type of a metric family (counter, histogram, gauge…), or null. */
  public String type(String family) {
    return types.get(family);
  }

  /** Samples called {@code name} that carry all of the {@code expected} labels. */
  public List<Sample> find(String name, Map<String, String> expected) {
    return samples.stream().filter(s -> s.name().equals(name) && s.has(expected)).toList();
  }

  /** The sum of the values of {@link #find}. */
  public double sum(String name, Map<String, String> expected) {
    return find(name, expected).stream().mapToDouble(Sample::value).sum();
  }

  private static Sample parse(String line) {
    int brace = line.indexOf('{');
    int space;
    String name;
    Map<String, String> labels = new LinkedHashMap<>();
    if (brace < 0) {
      space = line.indexOf(' ');
      name = line.substring(0, space);
    } else {
      name = line.substring(0, brace);
      int i = brace + 1;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).trim();
        StringBuilder value = new StringBuilder();
        int j = eq + 2; // skip ="
        while (line.charAt(j) != '"') {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
          j++;
        }
        labels.put(key, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      space = i + 1;
    }
    String rest = line.substring(space).trim().split(" ")[0];
    return new Sample(name, labels, Double.parseDouble(rest));
  }
}

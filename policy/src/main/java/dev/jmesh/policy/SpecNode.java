package dev.jmesh.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value in a parsed YAML tree together with its field path, with the strict reads Istio's
 * validation needs. Field names are lowerCamelCase; the snake_case spelling Istio's jsonpb also
 * accepts is an alias. A {@code null} value counts as absent, as in jsonpb.
 */
record SpecNode(String path, Object value) {

  /** The fields of this mapping, keyed by their camelCase name; null-valued fields are left out. */
  Map<String, SpecNode> fields(String... camelCaseNames) throws InvalidFieldException {
    Map<String, String> canonicalByKey = new LinkedHashMap<>();
    for (String name : camelCaseNames) {
      canonicalByKey.put(name, name);
      canonicalByKey.put(snakeCase(name), name);
    }
    Map<String, SpecNode> fields = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : asMapping().entrySet()) {
      String key = entry.getKey();
      String canonical = canonicalByKey.get(key);
      String fieldPath = path + "." + key;
      if (canonical == null) {
        throw new InvalidFieldException(
            fieldPath,
            "unknown field; expected one of " + String.join(", ", Arrays.asList(camelCaseNames)));
      }
      if (entry.getValue() == null) {
        continue;
      }
      SpecNode previous = fields.put(canonical, new SpecNode(fieldPath, entry.getValue()));
      if (previous != null) {
        throw new InvalidFieldException(fieldPath, "duplicates " + previous.path());
      }
    }
    return fields;
  }

  /** The entries of a mapping with free-form keys (labels, ports), as {@code path[key]}. */
  List<Map.Entry<String, SpecNode>> entries() throws InvalidFieldException {
    List<Map.Entry<String, SpecNode>> entries = new ArrayList<>();
    for (Map.Entry<String, Object> entry : asMapping().entrySet()) {
      String key = entry.getKey();
      entries.add(Map.entry(key, new SpecNode(path + "[" + key + "]", entry.getValue())));
    }
    return entries;
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> asMapping() throws InvalidFieldException {
    if (value instanceof Map<?, ?> map) {
      return Collections.unmodifiableMap((Map<String, Object>) map);
    }
    throw invalid("must be a mapping, got " + describe(value));
  }

  String asString() throws InvalidFieldException {
    if (value instanceof String string) {
      return string;
    }
    throw invalid("must be a string, got " + describe(value) + " (quote it)");
  }

  /** An enum given by its exact (case-sensitive) name, as Istio's jsonpb requires. */
  <E extends Enum<E>> E asEnum(Class<E> type) throws InvalidFieldException {
    String name = asString();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(name)) {
        return constant;
      }
    }
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(constant.name());
    }
    throw invalid("\"" + name + "\" is not one of " + String.join(", ", names));
  }

  InvalidFieldException invalid(String reason) {
    return new InvalidFieldException(path, reason);
  }

  static String describe(Object value) {
    if (value == null) {
      return "null";
    } else if (value instanceof Map<?, ?>) {
      return "a mapping";
    } else if (value instanceof List<?>) {
      return "a list";
    } else if (value instanceof String string) {
      return "the string \"" + string + "\"";
    } else if (value instanceof Boolean) {
      return "the boolean " + value;
    } else if (value instanceof Number) {
      return "the number " + value;
    }
    return "a " + value.getClass().getSimpleName();
  }

  private static String snakeCase(String camelCase) {
    StringBuilder snake = new StringBuilder();
    for (char c : camelCase.toCharArray()) {
      if (Character.isUpperCase(c)) {
        snake.append('_').append(Character.toLowerCase(c));
      } else {
        snake.append(c);
      }
    }
    return snake.toString();
  }
}

package dev.jmesh.agent.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON in the agent: the control server's API records ({@code dev.jmesh.api}) in and out, and the
 * admin endpoint's and the access log's trees out, over jackson-core's streaming parser and
 * generator.
 *
 * <p>Why not jackson-databind, as the control server uses: in the application's JVM its ~500
 * classes, its mapper set-up and its per-type introspection were a tenth of the agent's start-up
 * on one core, to bind a dozen flat records. The binding here covers what those records hold:
 * strings, numbers, booleans, lists, string-keyed maps, nested records, and {@code Object} as a
 * generic tree (maps, lists, strings, Integer/Long/BigInteger, Double, booleans), as databind
 * reads it. Unknown fields are skipped, missing ones are null (or 0 and false for primitives), and
 * anything else is one {@link IOException} naming the field.
 */
public final class Json {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final Map<Class<?>, RecordShape> SHAPES = new ConcurrentHashMap<>();

  private Json() {}

  /** {@code value} as compact JSON, UTF-8. */
  public static byte[] write(Object value) throws IOException {
    return write(value, false);
  }

  /** {@code value} as indented JSON, UTF-8. */
  public static byte[] writeIndented(Object value) throws IOException {
    return write(value, true);
  }

  /** {@code json} read into {@code type}: a record of the agent API, a String, a Map or a List. */
  public static <T> T read(byte[] json, Class<T> type) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() == null) {
        throw new IOException("empty JSON where " + type.getSimpleName() + " was expected");
      }
      Object value = readValue(parser, type, type.getSimpleName());
      if (parser.nextToken() != null) {
        throw new IOException(
            "trailing content after the " + type.getSimpleName() + " at " + where(parser));
      }
      return type.cast(value);
    }
  }

  private static byte[] write(Object value, boolean indented) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      if (indented) {
        generator.useDefaultPrettyPrinter();
      }
      writeValue(generator, value);
    }
    return out.toByteArray();
  }

  private static void writeValue(JsonGenerator out, Object value) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof String s) {
      out.writeString(s);
    } else if (value instanceof Boolean b) {
      out.writeBoolean(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      out.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      out.writeNumber(((Number) value).doubleValue());
    } else if (value instanceof BigInteger n) {
      out.writeNumber(n);
    } else if (value instanceof BigDecimal n) {
      out.writeNumber(n);
    } else if (value instanceof Map<?, ?> map) {
      out.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.writeFieldName(String.valueOf(entry.getKey()));
        writeValue(out, entry.getValue());
      }
      out.writeEndObject();
    } else if (value instanceof Iterable<?> items) {
      out.writeStartArray();
      for (Object item : items) {
        writeValue(out, item);
      }
      out.writeEndArray();
    } else if (value.getClass().isArray()) {
      out.writeStartArray();
      for (int i = 0; i < Array.getLength(value); i++) {
        writeValue(out, Array.get(value, i));
      }
      out.writeEndArray();
    } else if (value instanceof Record record) {
      RecordShape shape = shape(record.getClass());
      out.writeStartObject();
      for (int i = 0; i < shape.names.length; i++) {
        out.writeFieldName(shape.names[i]);
        writeValue(out, shape.get(record, i));
      }
      out.writeEndObject();
    } else if (value instanceof Enum<?> e) {
      out.writeString(e.name());
    } else {
      out.writeString(value.toString());
    }
  }

  private static Object readValue(JsonParser in, Type type, String field) throws IOException {
    JsonToken token = in.currentToken();
    Class<?> raw = rawClass(type);
    if (token == JsonToken.VALUE_NULL) {
      return raw.isPrimitive() ? defaultValue(raw) : null;
    }
    if (raw == Object.class) {
      return readTree(in);
    }
    if (raw == String.class) {
      if (!token.isScalarValue()) {
        throw mismatch(in, field, "a string");
      }
      return in.getText();
    }
    if (raw == long.class || raw == Long.class) {
      requireNumber(in, token, field, true);
      return in.getLongValue();
    }
    if (raw == int.class || raw == Integer.class) {
      requireNumber(in, token, field, true);
      return in.getIntValue();
    }
    if (raw == double.class || raw == Double.class) {
      requireNumber(in, token, field, false);
      return in.getDoubleValue();
    }
    if (raw == boolean.class || raw == Boolean.class) {
      if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
        throw mismatch(in, field, "true or false");
      }
      return token == JsonToken.VALUE_TRUE;
    }
    if (raw == List.class) {
      if (token != JsonToken.START_ARRAY) {
        throw mismatch(in, field, "an array");
      }
      Type element = typeArgument(type, 0);
      List<Object> list = new ArrayList<>();
      while (in.nextToken() != JsonToken.END_ARRAY) {
        list.add(readValue(in, element, field + "[" + list.size() + "]"));
      }
      return list;
    }
    if (raw == Map.class) {
      if (token != JsonToken.START_OBJECT) {
        throw mismatch(in, field, "an object");
      }
      Type valueType = typeArgument(type, 1);
      Map<String, Object> map = new LinkedHashMap<>();
      while (in.nextToken() == JsonToken.FIELD_NAME) {
        String key = in.currentName();
        in.nextToken();
        map.put(key, readValue(in, valueType, field + "." + key));
      }
      return map;
    }
    if (raw.isRecord()) {
      return readRecord(in, shape(raw), field);
    }
    throw new IOException("the agent cannot read JSON into " + type + " (" + field + ")");
  }

  private static Object readRecord(JsonParser in, RecordShape shape, String field)
      throws IOException {
    if (in.currentToken() != JsonToken.START_OBJECT) {
      throw mismatch(in, field, "an object");
    }
    Object[] values = new Object[shape.names.length];
    while (in.nextToken() == JsonToken.FIELD_NAME) {
      Integer index = shape.indexes.get(in.currentName());
      JsonToken value = in.nextToken();
      if (index == null) {
        if (value.isStructStart()) {
          in.skipChildren();
        }
        continue;
      }
      values[index] = readValue(in, shape.types[index], field + "." + shape.names[index]);
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null && shape.rawTypes[i].isPrimitive()) {
        values[i] = defaultValue(shape.rawTypes[i]);
      }
    }
    return shape.create(values);
  }

  /** A JSON value as databind's untyped reading gives it. */
  private static Object readTree(JsonParser in) throws IOException {
    switch (in.currentToken()) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (in.nextToken() == JsonToken.FIELD_NAME) {
          String key = in.currentName();
          in.nextToken();
          map.put(key, readTree(in));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (in.nextToken() != JsonToken.END_ARRAY) {
          list.add(readTree(in));
        }
        return list;
      }
      case VALUE_STRING -> {
        return in.getText();
      }
      case VALUE_NUMBER_INT -> {
        return in.getNumberValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return in.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected " + in.currentToken() + " at " + where(in));
    }
  }

  private static void requireNumber(JsonParser in, JsonToken token, String field, boolean whole)
      throws IOException {
    boolean ok =
        token == JsonToken.VALUE_NUMBER_INT || (!whole && token == JsonToken.VALUE_NUMBER_FLOAT);
    if (!ok) {
      throw mismatch(in, field, whole ? "a whole number" : "a number");
    }
  }

  private static IOException mismatch(JsonParser in, String field, String expected) {
    return new IOException(
        field + " must be " + expected + ", not " + in.currentToken() + " (at " + where(in) + ")");
  }

  private static String where(JsonParser in) {
    return "line " + in.currentLocation().getLineNr() + ", column "
        + in.currentLocation().getColumnNr();
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class; // wildcards and type variables: read as a tree
  }

  private static Type typeArgument(Type type, int index) {
    return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
  }

  private static Object defaultValue(Class<?> primitive) {
    if (primitive == boolean.class) {
      return Boolean.FALSE;
    }
    if (primitive == long.class) {
      return 0L;
    }
    if (primitive == double.class) {
      return 0.0;
    }
    return 0;
  }

  private static RecordShape shape(Class<?> type) {
    return SHAPES.computeIfAbsent(type, RecordShape::of);
  }

  /** A record's components, read once per record class. */
  private static final class RecordShape {
    final String[] names;
    final Type[] types;
    final Class<?>[] rawTypes;
    final Method[] accessors;
    final Map<String, Integer> indexes = new HashMap<>();
    final Constructor<?> constructor;

    private RecordShape(Class<?> type) throws NoSuchMethodException {
      RecordComponent[] components = type.getRecordComponents();
      names = new String[components.length];
      types = new Type[components.length];
      rawTypes = new Class<?>[components.length];
      accessors = new Method[components.length];
      for (int i = 0; i < components.length; i++) {
        names[i] = components[i].getName();
        types[i] = components[i].getGenericType();
        rawTypes[i] = components[i].getType();
        accessors[i] = components[i].getAccessor();
        accessors[i].setAccessible(true);
        indexes.put(names[i], i);
      }
      constructor = type.getDeclaredConstructor(rawTypes);
      constructor.setAccessible(true);
    }

    static RecordShape of(Class<?> type) {
      try {
        return new RecordShape(type);
      } catch (NoSuchMethodException | RuntimeException e) {
        throw new IllegalStateException("cannot bind JSON to " + type.getName(), e);
      }
    }

    Object get(Record record, int index) throws IOException {
      try {
        return accessors[index].invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IOException("cannot read " + names[index] + " of " + record.getClass(), e);
      }
    }

    Object create(Object[] values) throws IOException {
      try {
        return constructor.newInstance(values);
      } catch (InvocationTargetException e) {
        // A record that validates its components said no: that is the message.
        throw new IOException(
            constructor.getDeclaringClass().getSimpleName() + ": " + e.getCause().getMessage(),
            e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IOException("cannot create " + constructor.getDeclaringClass(), e);
      }
    }
  }
}

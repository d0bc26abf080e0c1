package dev.jmesh.agent.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Where settings come from, in order of precedence: system properties ({@code jmesh.service}),
 * environment variables ({@code JMESH_SERVICE}), then the agent arguments ({@code
 * -javaagent:jmesh-agent.jar=service=orders,namespace=shop}).
 */
final class SettingSources {

  /** Setting names without the {@code jmesh.} prefix, as agent arguments may spell them. */
  static final List<String> NAMES =
      List.of(
          "service",
          "namespace",
          "labels",
          "control",
          "token",
          "control.ca",
          "inbound.ports",
          "advertise.address",
          "admin.port",
          "cert.ttl",
          "startup.timeout",
          "accesslog",
          "accesslog.sampling",
          "stats.interval",
          "tls.provider",
          "io.transport",
          "enabled");

  private final UnaryOperator<String> systemProperties;
  private final UnaryOperator<String> environment;
  private final Map<String, String> agentArguments;

  SettingSources(
      UnaryOperator<String> systemProperties, UnaryOperator<String> environment, String agentArgs) {
    this.systemProperties = systemProperties;
    this.environment = environment;
    this.agentArguments = parseAgentArguments(agentArgs);
  }

  /** The value of {@code jmesh.<name>} from the first source that sets it, or null. */
  String get(String name) {
    String value = nonEmpty(systemProperties.apply("jmesh." + name));
    if (value == null) {
      value = nonEmpty(environment.apply(environmentName(name)));
    }
    if (value == null) {
      value = nonEmpty(agentArguments.get(name));
    }
    return value == null ? null : value.trim();
  }

  String environmentVariable(String variable) {
    return nonEmpty(environment.apply(variable));
  }

  /** Where a setting can be given, for error messages: {@code jmesh.service/JMESH_SERVICE}. */
  static String describe(String name) {
    return "jmesh." + name + "/" + environmentName(name);
  }

  /**
   * A setting that names one of an enum's constants, in any case; null or blank is {@code unset}.
   * Anything else is one error that lists the choices: {@code jmesh.io.transport/JMESH_IO_TRANSPORT:
   * "kqueue" is not an I/O transport (auto, epoll or nio)}.
   */
  static <E extends Enum<E>> E parseChoice(String name, String text, E unset, String what) {
    if (text == null || text.isBlank()) {
      return unset;
    }
    E[] choices = unset.getDeclaringClass().getEnumConstants();
    for (E choice : choices) {
      if (choice.name().equalsIgnoreCase(text.trim())) {
        return choice;
      }
    }
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < choices.length; i++) {
      names.append(i == 0 ? "" : i == choices.length - 1 ? " or " : ", ");
      names.append(choices[i].name().toLowerCase(Locale.ROOT));
    }
    throw new AgentConfigException(
        describe(name) + ": \"" + text.trim() + "\" is not " + what + " (" + names + ")");
  }

  static String environmentName(String name) {
    return "JMESH_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * Splits {@code k=v,k=v}. Values may themselves hold commas ({@code labels=version=v2,team=pay},
   * {@code control=https://a,https://b}): a piece that does not start with a known setting name
   * continues the previous value.
   */
  static Map<String, String> parseAgentArguments(String agentArgs) {
    Map<String, String> result = new LinkedHashMap<>();
    if (agentArgs == null || agentArgs.isBlank()) {
      return result;
    }
    String current = null;
    for (String piece : agentArgs.split(",")) {
      int eq = piece.indexOf('=');
      String key = eq < 0 ? null : stripPrefix(piece.substring(0, eq).trim());
      if (key != null && NAMES.contains(key)) {
        current = key;
        result.put(key, piece.substring(eq + 1).trim());
      } else if (current != null) {
        result.put(current, result.get(current) + "," + piece.trim());
      } else {
        throw new AgentConfigException(
            "agent argument \""
                + piece
                + "\" is not a setting; expected key=value with key one of "
                + NAMES);
      }
    }
    return result;
  }

  private static String stripPrefix(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.startsWith("jmesh.") ? k.substring("jmesh.".length()) : k;
  }

  private static String nonEmpty(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}

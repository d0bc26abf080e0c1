package dev.jmesh.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import dev.jmesh.api.PolicyResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Istio policy documents in and out: {@code kubectl apply}-style YAML parsing with validation, the
 * typed view of a stored resource, and YAML for {@code get -o yaml}.
 *
 * <p>jmesh handles six Istio kinds: PeerAuthentication, AuthorizationPolicy and
 * RequestAuthentication (security.istio.io v1, v1beta1), VirtualService, DestinationRule and
 * ServiceEntry (networking.istio.io v1, v1beta1, v1alpha3). Other kinds (Deployment, Service, the
 * Istio Gateway, ...) are skipped and reported, so Istio's sample files load as they are.
 */
public final class PolicyDocuments {

  /** The documents of one YAML input that jmesh keeps, and those it skipped. */
  public record ParseResult(List<PolicyResource> resources, List<Skipped> skipped) {
    public ParseResult {
      resources = List.copyOf(resources);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * A document that is not a kind jmesh handles.
   *
   * @param documentIndex 1-based position of the document in the input
   * @param name {@code metadata.name}, or {@code null} when it has none
   */
  public record Skipped(
      int documentIndex, String apiVersion, String kind, String name, String reason) {}

  private static final String SECURITY = "security.istio.io";
  private static final String NETWORKING = "networking.istio.io";
  private static final List<String> SECURITY_VERSIONS =
      List.of(SECURITY + "/v1", SECURITY + "/v1beta1");
  private static final List<String> NETWORKING_VERSIONS =
      List.of(NETWORKING + "/v1", NETWORKING + "/v1beta1", NETWORKING + "/v1alpha3");

  /** The kinds jmesh handles and the apiVersions each may be given with. */
  private static final Map<String, List<String>> API_VERSIONS_BY_KIND =
      Map.of(
          "PeerAuthentication", SECURITY_VERSIONS,
          "AuthorizationPolicy", SECURITY_VERSIONS,
          "RequestAuthentication", SECURITY_VERSIONS,
          "VirtualService", NETWORKING_VERSIONS,
          "DestinationRule", NETWORKING_VERSIONS,
          "ServiceEntry", NETWORKING_VERSIONS);

  /** Istio kinds that exist but that jmesh does not implement (sidecar-less, no gateways). */
  private static final Set<String> UNHANDLED_ISTIO_KINDS =
      Set.of(
          "Gateway",
          "Sidecar",
          "EnvoyFilter",
          "WorkloadEntry",
          "WorkloadGroup",
          "ProxyConfig",
          "Telemetry",
          "WasmPlugin",
          "IstioOperator");

  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /**
   * The YAML reader and writer, made on first use: the agent reads its policy as already-parsed
   * trees and never needs them, and building them loads most of Jackson.
   */
  private static final class Yaml {
    // Not YAMLFactory.builder(): in Jackson 2.17 a built factory reads empty documents as "", not
    // null.
    static final YAMLFactory IN = new YAMLFactory();
    static final ObjectReader TREE_READER = new ObjectMapper(IN).readerFor(Object.class);
    static final ObjectMapper OUT =
        new ObjectMapper(
            YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .stringQuotingChecker(new NumberLikeStringQuoting())
                .build());
  }

  /**
   * Also quotes strings that start like a number ({@code 1e3}, {@code .5}, {@code 10.0.0.1}), which
   * Jackson's default check leaves bare although YAML reads some of them back as numbers.
   */
  private static final class NumberLikeStringQuoting extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean needToQuoteValue(String value) {
      if (!value.isEmpty() && "0123456789.+-".indexOf(value.charAt(0)) >= 0) {
        return true;
      }
      return super.needToQuoteValue(value);
    }
  }

  private PolicyDocuments() {}

  /**
   * Parses multi-document YAML as {@code kubectl apply -f} would and validates every Istio
   * document. Documents of non-Istio kinds (Deployment, Service, ...) and of Istio kinds jmesh does
   * not handle (Gateway, Sidecar, ...) are skipped and listed in the result; empty documents are
   * ignored. All-or-nothing: any invalid Istio document throws.
   *
   * @param defaultNamespace the namespace of documents without {@code metadata.namespace}
   * @param sourceName where the YAML came from (a file name), prefixed to error messages; may be
   *     null or blank
   * @throws PolicyException naming the source, the 1-based document index, the document's kind and
   *     namespace/name, the field path and the reason
   */
  public static ParseResult parseYaml(String yaml, String defaultNamespace, String sourceName)
      throws PolicyException {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(defaultNamespace, "defaultNamespace");
    String source = sourceName == null || sourceName.isBlank() ? "" : sourceName + ": ";
    List<PolicyResource> resources = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    try (YAMLParser parser = Yaml.IN.createParser(yaml)) {
      parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      MappingIterator<Object> documents = Yaml.TREE_READER.readValues(parser);
      for (int index = 1; ; index++) {
        Object document;
        try {
          if (!documents.hasNextValue()) {
            break;
          }
          document = documents.nextValue();
        } catch (JsonProcessingException e) {
          throw syntaxError(source + "document " + index, e);
        }
        if (document != null) {
          readDocument(document, index, source, defaultNamespace, resources, skipped);
        }
      }
    } catch (IOException e) {
      throw new PolicyException(source + "cannot read YAML: " + e.getMessage(), e);
    }
    return new ParseResult(resources, skipped);
  }

  /**
   * The typed view of a stored or pushed PeerAuthentication; validates it again (the agent NACKs a
   * snapshot on failure). Errors are labelled {@code PeerAuthentication <namespace>/<name>}.
   */
  public static PeerAuthentication peerAuthentication(PolicyResource resource)
      throws PolicyException {
    String label = resource.kind() + " " + resource.namespace() + "/" + resource.name();
    if (!"PeerAuthentication".equals(resource.kind())) {
      throw new PolicyException(label + ": kind: is not PeerAuthentication");
    }
    if (!SECURITY_VERSIONS.contains(resource.apiVersion())) {
      throw new PolicyException(
          label + ": apiVersion: " + wrongApiVersion(resource.apiVersion(), resource.kind()));
    }
    if (resource.spec() == null) {
      throw new PolicyException(label + ": spec: is required");
    }
    try {
      return PeerAuthenticationReader.read(
          resource.namespace(), resource.name(), resource.createdIndex(), resource.spec());
    } catch (InvalidFieldException e) {
      throw new PolicyException(label + ": " + e.getMessage(), e);
    }
  }

  /** The resource as a Kubernetes-style YAML document, for {@code get -o yaml}. */
  public static String toYaml(PolicyResource resource) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", resource.name());
    metadata.put("namespace", resource.namespace());
    if (resource.resourceVersion() > 0) {
      metadata.put("resourceVersion", Long.toString(resource.resourceVersion()));
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("apiVersion", resource.apiVersion());
    document.put("kind", resource.kind());
    document.put("metadata", metadata);
    document.put("spec", resource.spec() == null ? Map.of() : resource.spec());
    try {
      return Yaml.OUT.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readDocument(
      Object document,
      int index,
      String source,
      String defaultNamespace,
      List<PolicyResource> resources,
      List<Skipped> skipped)
      throws PolicyException {
    String label = source + "document " + index;
    if (!(document instanceof Map<?, ?>)) {
      throw new PolicyException(
          label
              + ": expected a Kubernetes object (a mapping with apiVersion, kind, metadata and"
              + " spec), got "
              + SpecNode.describe(document));
    }
    try {
      Map<String, Object> object = new SpecNode("", document).asMapping();
      String apiVersion = requiredString(object, "apiVersion");
      String kind = requiredString(object, "kind");
      String skipReason = skipReason(apiVersion, kind);
      if (skipReason != null) {
        Object metadata = object.get("metadata");
        Object name = metadata instanceof Map<?, ?> map ? map.get("name") : null;
        skipped.add(
            new Skipped(index, apiVersion, kind, name instanceof String s ? s : null, skipReason));
        return;
      }

      label += " (" + kind + ")";
      SpecNode metadataNode = new SpecNode("metadata", object.get("metadata"));
      if (metadataNode.value() == null) {
        throw metadataNode.invalid("is required");
      }
      Map<String, Object> metadata = metadataNode.asMapping();
      String name = requiredString(metadata, "name", "metadata.name");
      Object namespaceValue = metadata.get("namespace");
      String namespace =
          namespaceValue == null
              ? defaultNamespace
              : new SpecNode("metadata.namespace", namespaceValue).asString();
      label = source + "document " + index + " (" + kind + " " + namespace + "/" + name + ")";
      checkName(name, namespace);

      SpecNode specNode = new SpecNode("spec", object.get("spec"));
      if (specNode.value() == null) {
        throw specNode.invalid("is required (use spec: {} for an empty spec)");
      }
      Map<String, Object> spec = specNode.asMapping();
      if (kind.equals("PeerAuthentication")) {
        PeerAuthenticationReader.read(namespace, name, 0, spec);
      }
      resources.add(
          new PolicyResource(apiVersion, kind, namespace, name, 0, 0, immutableTree(spec)));
    } catch (InvalidFieldException e) {
      throw new PolicyException(label + ": " + e.getMessage(), e);
    }
  }

  /**
   * Why a document of this apiVersion and kind is skipped, or {@code null} when jmesh handles it.
   *
   * @throws InvalidFieldException for an unknown Istio kind or a jmesh kind with a wrong apiVersion
   */
  private static String skipReason(String apiVersion, String kind) throws InvalidFieldException {
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    boolean istioGroup = group.equals("istio.io") || group.endsWith(".istio.io");
    List<String> apiVersions = API_VERSIONS_BY_KIND.get(kind);
    if (apiVersions == null) {
      if (!istioGroup) {
        return "not an Istio kind";
      } else if (UNHANDLED_ISTIO_KINDS.contains(kind)) {
        return "Istio kind not handled by jmesh";
      }
      throw new InvalidFieldException("kind", "unknown Istio kind \"" + kind + "\" in " + group);
    }
    if (!istioGroup && group.contains(".")) {
      return "not an Istio kind (group " + group + ")";
    }
    if (!apiVersions.contains(apiVersion)) {
      throw new InvalidFieldException("apiVersion", wrongApiVersion(apiVersion, kind));
    }
    return null;
  }

  private static String requiredString(Map<String, Object> map, String key)
      throws InvalidFieldException {
    return requiredString(map, key, key);
  }

  private static String requiredString(Map<String, Object> map, String key, String path)
      throws InvalidFieldException {
    SpecNode node = new SpecNode(path, map.get(key));
    if (node.value() == null) {
      throw node.invalid("is required");
    }
    String value = node.asString();
    if (value.isEmpty()) {
      throw node.invalid("is required");
    }
    return value;
  }

  private static void checkName(String name, String namespace) throws InvalidFieldException {
    if (name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()) {
      throw new InvalidFieldException(
          "metadata.name",
          "\""
              + name
              + "\" is not a valid name: lower-case letters, digits, '-' and '.',"
              + " starting and ending with a letter or digit, at most 253 characters");
    }
    if (namespace.length() > 63 || !DNS1123_LABEL.matcher(namespace).matches()) {
      throw new InvalidFieldException(
          "metadata.namespace",
          "\""
              + namespace
              + "\" is not a valid namespace: lower-case letters, digits and '-',"
              + " starting and ending with a letter or digit, at most 63 characters");
    }
  }

  private static String wrongApiVersion(String apiVersion, String kind) {
    return "\""
        + apiVersion
        + "\" is not valid for "
        + kind
        + "; expected one of "
        + String.join(", ", API_VERSIONS_BY_KIND.get(kind));
  }

  private static PolicyException syntaxError(String label, JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    String where =
        location == null || location.getLineNr() < 1
            ? ""
            : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
    String problem = e.getOriginalMessage();
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof MarkedYAMLException yaml) {
        problem =
            yaml.getContext() == null
                ? yaml.getProblem()
                : yaml.getContext() + ": " + yaml.getProblem();
        break;
      }
    }
    return new PolicyException(label + ": " + where + "invalid YAML: " + problem, e);
  }

  /** A deep, unmodifiable copy of a parsed tree, so resources stay immutable. */
  @SuppressWarnings("unchecked")
  private static <T> T immutableTree(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, child) -> copy.put(String.valueOf(key), immutableTree(child)));
      return (T) Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(child -> copy.add(immutableTree(child)));
      return (T) Collections.unmodifiableList(copy);
    }
    return value;
  }
}

package dev.jmesh.control.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.jmesh.api.MeshSnapshot;
import dev.jmesh.api.PolicyResource;
import dev.jmesh.api.ServiceInstance;
import dev.jmesh.control.Json;
import dev.jmesh.control.registry.InstanceRegistry;
import dev.jmesh.control.registry.RegisteredInstance;
import dev.jmesh.control.store.PolicyStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the snapshot one agent sees: the policies of its namespace and of the root namespace, all
 * live instances, and the version they belong to. The JSON is made once per version and namespace,
 * so that waking thousands of watchers costs one serialisation per namespace; likewise its gzip
 * form, made once per version and namespace for agents that send {@code Accept-Encoding: gzip}.
 */
public final class SnapshotBuilder {

  /** The JSON of one version for one namespace, and its gzip form once someone asked for it. */
  private static final class CachedJson {
    final long version;
    final byte[] json;
    private byte[] gzip; // guarded by this

    CachedJson(long version, byte[] json) {
      this.version = version;
      this.json = json;
    }

    synchronized byte[] gzip() {
      if (gzip == null) {
        gzip = compress(json);
      }
      return gzip;
    }
  }

  public static final String ROOT_NAMESPACE = "istio-system";

  private final MeshVersion version;
  private final PolicyStore policies;
  private final InstanceRegistry registry;
  private final String trustDomain;
  private final ConcurrentHashMap<String, CachedJson> jsonByNamespace = new ConcurrentHashMap<>();

  public SnapshotBuilder(
      MeshVersion version, PolicyStore policies, InstanceRegistry registry, String trustDomain) {
    this.version = version;
    this.policies = policies;
    this.registry = registry;
    this.trustDomain = trustDomain;
  }

  /** The current snapshot for an agent in {@code namespace}. */
  public MeshSnapshot build(String namespace) {
    return build(namespace, version.current());
  }

  /** {@link #build} as JSON, made once per namespace and version. */
  public byte[] buildJson(String namespace) {
    return cached(namespace).json;
  }

  /** {@link #buildJson} compressed with gzip, made once per namespace and version. */
  public byte[] buildGzipJson(String namespace) {
    return cached(namespace).gzip();
  }

  private CachedJson cached(String namespace) {
    long current = version.current();
    return jsonByNamespace.compute(
        namespace,
        (ns, cached) ->
            cached != null && cached.version >= current
                ? cached
                : new CachedJson(current, serialize(build(ns, current))));
  }

  /** {@code current} must be read before the content, so the content is at least that new. */
  private MeshSnapshot build(String namespace, long current) {
    List<PolicyResource> selected = new ArrayList<>(policies.list(null, namespace));
    if (!namespace.equals(ROOT_NAMESPACE)) {
      selected.addAll(policies.list(null, ROOT_NAMESPACE));
    }
    selected.sort(Comparator.comparingLong(PolicyResource::createdIndex));
    List<ServiceInstance> instances =
        registry.live().stream().map(RegisteredInstance::instance).toList();
    return new MeshSnapshot(current, trustDomain, ROOT_NAMESPACE, selected, instances);
  }

  private static byte[] compress(byte[] json) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, json.length / 8));
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 8192)) {
      gzip.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] serialize(MeshSnapshot snapshot) {
    try {
      return Json.MAPPER.writeValueAsBytes(snapshot);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.jmesh.control.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jmesh.api.PolicyResource;
import dev.jmesh.control.Json;
import dev.jmesh.control.snapshot.MeshVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy store in the data directory: {@code policies/resources.json} holds every current
 * resource (rewritten atomically on each change) and {@code policies/history.jsonl} is an
 * append-only log with one line per change. A change is appended to the history first and then
 * committed by replacing the resources file; history lines beyond the committed version (a crash
 * between the two steps) are dropped when the store is opened.
 */
public final class EmbeddedPolicyStore implements PolicyStore {

  static final String RESOURCES_FILE = "resources.json";
  static final String HISTORY_FILE = "history.jsonl";
  private static final TypeReference<Map<String, Object>> SPEC_TYPE = new TypeReference<>() {};

  /** The committed state, as written to {@code resources.json}. */
  record State(long version, long nextCreatedIndex, List<PolicyResource> resources) {}

  /** One line of {@code history.jsonl}. */
  record HistoryLine(
      String apiVersion,
      String kind,
      String namespace,
      String name,
      long resourceVersion,
      String action,
      Map<String, Object> spec) {}

  private final Path resourcesFile;
  private final Path historyFile;
  private final MeshVersion meshVersion;
  private final Object lock = new Object();
  private Map<String, PolicyResource> resourcesByKey;
  private final Map<String, List<HistoryEntry>> historyByKey = new LinkedHashMap<>();
  private long committedVersion;
  private long nextCreatedIndex;

  private EmbeddedPolicyStore(Path directory, MeshVersion meshVersion) {
    this.resourcesFile = directory.resolve(RESOURCES_FILE);
    this.historyFile = directory.resolve(HISTORY_FILE);
    this.meshVersion = meshVersion;
  }

  /**
   * Opens (or starts) the store in {@code directory} and moves {@code meshVersion} past every
   * version it holds.
   */
  public static EmbeddedPolicyStore open(Path directory, MeshVersion meshVersion)
      throws IOException {
    Files.createDirectories(directory);
    EmbeddedPolicyStore store = new EmbeddedPolicyStore(directory, meshVersion);
    store.load();
    meshVersion.advanceTo(store.committedVersion);
    return store;
  }

  private void load() throws IOException {
    State state = new State(0, 1, List.of());
    if (Files.exists(resourcesFile)) {
      try {
        state = Json.MAPPER.readValue(resourcesFile.toFile(), State.class);
      } catch (IOException e) {
        throw new IOException(resourcesFile + " cannot be read: " + e.getMessage(), e);
      }
    }
    committedVersion = state.version();
    nextCreatedIndex = state.nextCreatedIndex();
    resourcesByKey = new LinkedHashMap<>();
    for (PolicyResource resource : state.resources()) {
      resourcesByKey.put(key(resource.kind(), resource.namespace(), resource.name()), resource);
    }
    loadHistory();
  }

  private void loadHistory() throws IOException {
    if (!Files.exists(historyFile)) {
      return;
    }
    List<String> committedLines = new ArrayList<>();
    boolean dropped = false;
    for (String line : Files.readAllLines(historyFile, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      HistoryLine entry;
      try {
        entry = Json.MAPPER.readValue(line, HistoryLine.class);
      } catch (IOException e) {
        dropped = true; // a line torn by a crash while appending
        continue;
      }
      if (entry.resourceVersion() > committedVersion) {
        dropped = true; // appended, but the change was never committed
        continue;
      }
      committedLines.add(line);
      historyByKey
          .computeIfAbsent(
              key(entry.kind(), entry.namespace(), entry.name()), k -> new ArrayList<>())
          .add(new HistoryEntry(entry.resourceVersion(), entry.action(), entry.spec()));
    }
    if (dropped) {
      String text = committedLines.isEmpty() ? "" : String.join("\n", committedLines) + "\n";
      AtomicFiles.write(historyFile, text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public List<AppliedResource> apply(List<PolicyResource> resources) throws IOException {
    synchronized (lock) {
      List<PolicyResource> normalized =
          resources.stream().map(EmbeddedPolicyStore::normalize).toList();
      List<String> actions = new ArrayList<>();
      Map<String, PolicyResource> pending = new LinkedHashMap<>();
      for (PolicyResource resource : normalized) {
        String key = key(resource.kind(), resource.namespace(), resource.name());
        PolicyResource existing =
            pending.containsKey(key) ? pending.get(key) : resourcesByKey.get(key);
        String action;
        if (existing == null) {
          action = "created";
        } else if (existing.apiVersion().equals(resource.apiVersion())
            && Objects.equals(existing.spec(), resource.spec())) {
          action = "unchanged";
        } else {
          action = "configured";
        }
        actions.add(action);
        if (!action.equals("unchanged")) {
          pending.put(key, resource);
        }
      }
      long[] changeVersion = {committedVersion};
      if (!pending.isEmpty()) {
        meshVersion.change(
            version -> {
              Map<String, PolicyResource> next = new LinkedHashMap<>(resourcesByKey);
              long createdIndex = nextCreatedIndex;
              List<HistoryLine> lines = new ArrayList<>();
              for (Map.Entry<String, PolicyResource> change : pending.entrySet()) {
                PolicyResource resource = change.getValue();
                PolicyResource existing = resourcesByKey.get(change.getKey());
                long index = existing == null ? createdIndex++ : existing.createdIndex();
                PolicyResource stored =
                    new PolicyResource(
                        resource.apiVersion(),
                        existing == null ? resource.kind() : existing.kind(),
                        resource.namespace(),
                        resource.name(),
                        index,
                        version,
                        resource.spec());
                next.put(change.getKey(), stored);
                lines.add(historyLine(stored, existing == null ? "created" : "configured"));
              }
              commit(next, createdIndex, version, lines);
              changeVersion[0] = version;
            });
      }
      List<AppliedResource> results = new ArrayList<>();
      for (int i = 0; i < normalized.size(); i++) {
        PolicyResource resource = normalized.get(i);
        PolicyResource stored =
            resourcesByKey.get(key(resource.kind(), resource.namespace(), resource.name()));
        results.add(
            new AppliedResource(
                stored.kind(),
                stored.namespace(),
                stored.name(),
                actions.get(i),
                stored.resourceVersion()));
      }
      return results;
    }
  }

  @Override
  public Optional<PolicyResource> get(String kind, String namespace, String name) {
    synchronized (lock) {
      return Optional.ofNullable(resourcesByKey.get(key(kind, namespace, name)));
    }
  }

  @Override
  public List<PolicyResource> list(String kind, String namespace) {
    synchronized (lock) {
      return resourcesByKey.values().stream()
          .filter(r -> kind == null || r.kind().equalsIgnoreCase(kind))
          .filter(r -> namespace == null || r.namespace().equals(namespace))
          .sorted(Comparator.comparingLong(PolicyResource::createdIndex))
          .toList();
    }
  }

  @Override
  public Optional<PolicyResource> delete(String kind, String namespace, String name)
      throws IOException {
    synchronized (lock) {
      String key = key(kind, namespace, name);
      PolicyResource existing = resourcesByKey.get(key);
      if (existing == null) {
        return Optional.empty();
      }
      meshVersion.change(
          version -> {
            Map<String, PolicyResource> next = new LinkedHashMap<>(resourcesByKey);
            next.remove(key);
            PolicyResource deleted =
                new PolicyResource(
                    existing.apiVersion(),
                    existing.kind(),
                    existing.namespace(),
                    existing.name(),
                    existing.createdIndex(),
                    version,
                    null);
            commit(next, nextCreatedIndex, version, List.of(historyLine(deleted, "deleted")));
          });
      return Optional.of(existing);
    }
  }

  @Override
  public List<HistoryEntry> history(String kind, String namespace, String name) {
    synchronized (lock) {
      return List.copyOf(historyByKey.getOrDefault(key(kind, namespace, name), List.of()));
    }
  }

  /** Appends the history lines, then commits the new state; memory changes only after both. */
  private void commit(
      Map<String, PolicyResource> next, long nextIndex, long version, List<HistoryLine> lines)
      throws IOException {
    ByteArrayOutputStream history = new ByteArrayOutputStream();
    for (HistoryLine line : lines) {
      history.write(Json.MAPPER.writeValueAsBytes(line));
      history.write('\n');
    }
    AtomicFiles.appendDurably(historyFile, history.toByteArray());
    State state = new State(version, nextIndex, List.copyOf(next.values()));
    AtomicFiles.write(
        resourcesFile, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
    resourcesByKey = next;
    nextCreatedIndex = nextIndex;
    committedVersion = version;
    for (HistoryLine line : lines) {
      historyByKey
          .computeIfAbsent(key(line.kind(), line.namespace(), line.name()), k -> new ArrayList<>())
          .add(new HistoryEntry(line.resourceVersion(), line.action(), line.spec()));
    }
  }

  private static HistoryLine historyLine(PolicyResource resource, String action) {
    return new HistoryLine(
        resource.apiVersion(),
        resource.kind(),
        resource.namespace(),
        resource.name(),
        resource.resourceVersion(),
        action,
        resource.spec());
  }

  /** The spec as it reads back from JSON, so that an unchanged document compares equal. */
  private static PolicyResource normalize(PolicyResource resource) {
    Map<String, Object> spec;
    try {
      spec =
          resource.spec() == null
              ? Map.of()
              : Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(resource.spec()), SPEC_TYPE);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "spec of "
              + resource.kind()
              + " "
              + resource.namespace()
              + "/"
              + resource.name()
              + " cannot be stored as JSON",
          e);
    }
    return new PolicyResource(
        resource.apiVersion(),
        resource.kind(),
        resource.namespace(),
        resource.name(),
        resource.createdIndex(),
        resource.resourceVersion(),
        spec);
  }

  private static String key(String kind, String namespace, String name) {
    return kind.toLowerCase(Locale.ROOT) + "/" + namespace + "/" + name;
  }
}

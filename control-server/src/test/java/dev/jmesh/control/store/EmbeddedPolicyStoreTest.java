package dev.jmesh.control.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.PolicyResource;
import dev.jmesh.control.snapshot.MeshVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPolicyStoreTest {

  @TempDir Path dir;
  private final MeshVersion version = new MeshVersion(1000);

  private static PolicyResource peerAuthentication(String namespace, String name, String mode) {
    return new PolicyResource(
        "security.istio.io/v1",
        "PeerAuthentication",
        namespace,
        name,
        0,
        0,
        Map.of("mtls", Map.of("mode", mode)));
  }

  private EmbeddedPolicyStore open() throws Exception {
    return EmbeddedPolicyStore.open(dir.resolve("policies"), version);
  }

  @Test
  void applyReportsCreatedThenUnchangedThenConfigured() throws Exception {
    EmbeddedPolicyStore store = open();

    AppliedResource created =
        store.apply(List.of(peerAuthentication("default", "a", "STRICT"))).get(0);
    AppliedResource unchanged =
        store.apply(List.of(peerAuthentication("default", "a", "STRICT"))).get(0);
    AppliedResource configured =
        store.apply(List.of(peerAuthentication("default", "a", "PERMISSIVE"))).get(0);

    assertEquals("created", created.action());
    assertEquals(1001, created.resourceVersion());
    assertEquals("unchanged", unchanged.action());
    assertEquals(1001, unchanged.resourceVersion());
    assertEquals("configured", configured.action());
    assertEquals(1002, configured.resourceVersion());
    assertEquals(1002, version.current(), "unchanged applies do not bump the version");
  }

  @Test
  void createdIndexIsAssignedOnceAndKeptAcrossUpdates() throws Exception {
    EmbeddedPolicyStore store = open();
    store.apply(List.of(peerAuthentication("default", "a", "STRICT")));
    store.apply(List.of(peerAuthentication("default", "b", "STRICT")));
    store.apply(List.of(peerAuthentication("default", "a", "DISABLE")));

    assertEquals(1, store.get("PeerAuthentication", "default", "a").orElseThrow().createdIndex());
    assertEquals(2, store.get("peerauthentication", "default", "b").orElseThrow().createdIndex());
    assertEquals(
        List.of("a", "b"),
        store.list("PEERAUTHENTICATION", "default").stream().map(PolicyResource::name).toList());
  }

  @Test
  void reopenedStoreHasEverythingAndTheVersionMovesPastIt() throws Exception {
    EmbeddedPolicyStore store = open();
    store.apply(List.of(peerAuthentication("istio-system", "default", "STRICT")));
    store.apply(List.of(peerAuthentication("default", "a", "PERMISSIVE")));
    store.delete("PeerAuthentication", "default", "a");

    MeshVersion restartedVersion = new MeshVersion(0);
    EmbeddedPolicyStore reopened =
        EmbeddedPolicyStore.open(dir.resolve("policies"), restartedVersion);

    assertEquals(
        Map.of("mtls", Map.of("mode", "STRICT")),
        reopened.get("PeerAuthentication", "istio-system", "default").orElseThrow().spec());
    assertTrue(reopened.get("PeerAuthentication", "default", "a").isEmpty());
    assertEquals(
        List.of("created", "deleted"),
        reopened.history("PeerAuthentication", "default", "a").stream()
            .map(HistoryEntry::action)
            .toList());
    assertEquals(1003, restartedVersion.current());
    AppliedResource next =
        reopened.apply(List.of(peerAuthentication("default", "c", "STRICT"))).get(0);
    assertEquals(1004, next.resourceVersion());
    assertEquals(
        3, reopened.get("PeerAuthentication", "default", "c").orElseThrow().createdIndex());
  }

  @Test
  void historyRecordsEveryChangeWithItsSpec() throws Exception {
    EmbeddedPolicyStore store = open();
    store.apply(List.of(peerAuthentication("default", "a", "STRICT")));
    store.apply(List.of(peerAuthentication("default", "a", "PERMISSIVE")));

    List<HistoryEntry> history = store.history("PeerAuthentication", "default", "a");

    assertEquals(2, history.size());
    assertEquals(
        new HistoryEntry(1001, "created", Map.of("mtls", Map.of("mode", "STRICT"))),
        history.get(0));
    assertEquals("configured", history.get(1).action());
  }

  @Test
  void historyLinesOfAChangeThatNeverCommittedAreDroppedOnOpen() throws Exception {
    EmbeddedPolicyStore store = open();
    store.apply(List.of(peerAuthentication("default", "a", "STRICT")));
    Path history = dir.resolve("policies").resolve(EmbeddedPolicyStore.HISTORY_FILE);
    // A crash after appending history but before replacing resources.json, mid-line.
    Files.writeString(
        history,
        "{\"apiVersion\":\"security.istio.io/v1\",\"kind\":\"PeerAuthentication\",\"namespace\":"
            + "\"default\",\"name\":\"a\",\"resourceVersion\":1002,\"action\":\"configured\","
            + "\"spec\":{}}\n{\"apiVersion\":\"sec",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);

    EmbeddedPolicyStore reopened = open();

    assertEquals(1, reopened.history("PeerAuthentication", "default", "a").size());
    assertEquals(1, Files.readAllLines(history).size());
    assertEquals(
        Map.of("mtls", Map.of("mode", "STRICT")),
        reopened.get("PeerAuthentication", "default", "a").orElseThrow().spec());
  }

  @Test
  void noTemporaryFilesAreLeftBehind() throws Exception {
    EmbeddedPolicyStore store = open();
    store.apply(List.of(peerAuthentication("default", "a", "STRICT")));
    store.apply(List.of(peerAuthentication("default", "a", "DISABLE")));

    try (var files = Files.list(dir.resolve("policies"))) {
      assertEquals(
          List.of(EmbeddedPolicyStore.HISTORY_FILE, EmbeddedPolicyStore.RESOURCES_FILE),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }
}

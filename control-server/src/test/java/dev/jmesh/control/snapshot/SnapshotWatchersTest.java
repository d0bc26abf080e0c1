package dev.jmesh.control.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotWatchersTest {

  private final MeshVersion version = new MeshVersion(10);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService responder = Executors.newFixedThreadPool(2);
  private final SnapshotWatchers watchers = new SnapshotWatchers(version, timer, responder);

  @AfterEach
  void stop() {
    timer.shutdownNow();
    responder.shutdownNow();
  }

  @Test
  void watcherIsAnsweredWhenTheVersionChanges() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    watchers.watch(
        10,
        Duration.ofSeconds(60),
        () -> answer.complete("changed"),
        () -> answer.complete("timeout"));
    assertEquals(1, watchers.waiting());

    version.bump();

    assertEquals("changed", answer.get(5, TimeUnit.SECONDS));
    assertEquals(0, watchers.waiting());
  }

  @Test
  void watcherIsAnsweredWithTimeoutWhenNothingChanges() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    watchers.watch(
        10,
        Duration.ofMillis(50),
        () -> answer.complete("changed"),
        () -> answer.complete("timeout"));

    assertEquals("timeout", answer.get(5, TimeUnit.SECONDS));
    assertEquals(0, watchers.waiting());
  }

  @Test
  void watcherOfAnOutdatedVersionIsAnsweredAtOnce() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    watchers.watch(
        9,
        Duration.ofSeconds(60),
        () -> answer.complete("changed"),
        () -> answer.complete("timeout"));

    assertEquals("changed", answer.get(5, TimeUnit.SECONDS));
  }

  @Test
  void eachWatcherIsAnsweredExactlyOnce() throws Exception {
    AtomicInteger answers = new AtomicInteger();
    for (int i = 0; i < 500; i++) {
      watchers.watch(10, Duration.ofMillis(20), answers::incrementAndGet, answers::incrementAndGet);
    }
    version.bump();
    version.bump();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (watchers.waiting() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    responder.shutdown();
    assertTrue(responder.awaitTermination(5, TimeUnit.SECONDS));
    assertEquals(500, answers.get());
  }
}

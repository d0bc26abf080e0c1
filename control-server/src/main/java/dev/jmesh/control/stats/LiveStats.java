package dev.jmesh.control.stats;

import dev.jmesh.api.EdgeStats;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents' traffic reports of the last few minutes, in memory: per edge, a ring of 10-second
 * slots going back {@link #MAX_WINDOW}. A query for a window adds up the slots it covers. Memory is
 * bounded: at most {@link #MAX_EDGES} edges (the one reported least recently goes first), each with
 * at most one slot per 10 s of the longest window.
 */
public final class LiveStats {

  public static final Duration SLOT = Duration.ofSeconds(10);
  public static final Duration MAX_WINDOW = Duration.ofMinutes(5);
  public static final int MAX_EDGES = 2000;
  private static final int SLOTS = (int) (MAX_WINDOW.toMillis() / SLOT.toMillis());

  private final Clock clock;
  private final int maxEdges;

  /** Access order: the eldest entry is the edge reported least recently. */
  private final LinkedHashMap<EdgeKey, Series> edges = new LinkedHashMap<>(64, 0.75f, true);

  /** One edge's slots; slot {@code i} holds the counts of slot number {@code numbers[i]}. */
  private static final class Series {
    final TrafficCounts[] slots = new TrafficCounts[SLOTS];
    final long[] numbers = new long[SLOTS];
    long lastSlot;
  }

  public LiveStats(Clock clock) {
    this(clock, MAX_EDGES);
  }

  LiveStats(Clock clock, int maxEdges) {
    this.clock = clock;
    this.maxEdges = maxEdges;
  }

  /** Adds one report's edges (already checked) to the current slot. */
  public synchronized void record(List<EdgeStats> report) {
    long slot = currentSlot();
    for (EdgeStats stats : report) {
      Series series = edges.get(EdgeKey.of(stats));
      if (series == null) {
        if (edges.size() >= maxEdges) {
          Iterator<Map.Entry<EdgeKey, Series>> eldest = edges.entrySet().iterator();
          eldest.next();
          eldest.remove();
        }
        series = new Series();
        edges.put(EdgeKey.of(stats), series);
      }
      int index = (int) (slot % SLOTS);
      if (series.slots[index] == null || series.numbers[index] != slot) {
        series.slots[index] = new TrafficCounts();
        series.numbers[index] = slot;
      }
      series.slots[index].add(stats);
      series.lastSlot = slot;
    }
  }

  /**
   * Every edge's counts over the last {@code window} (rounded up to whole slots, the current one
   * included), leaving out edges with nothing in it. Edges with nothing in the longest window are
   * forgotten.
   */
  public synchronized Map<EdgeKey, TrafficCounts> window(Duration window) {
    long now = currentSlot();
    long slots = Math.max(1, Math.min(SLOTS, ceilDiv(window.toMillis(), SLOT.toMillis())));
    long oldest = now - slots + 1;
    Map<EdgeKey, TrafficCounts> result = new HashMap<>();
    Iterator<Map.Entry<EdgeKey, Series>> it = edges.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<EdgeKey, Series> entry = it.next();
      Series series = entry.getValue();
      if (series.lastSlot <= now - SLOTS) {
        it.remove();
        continue;
      }
      TrafficCounts total = new TrafficCounts();
      for (int i = 0; i < SLOTS; i++) {
        if (series.slots[i] != null && series.numbers[i] >= oldest && series.numbers[i] <= now) {
          total.add(series.slots[i]);
        }
      }
      if (!total.isEmpty()) {
        result.put(entry.getKey(), total);
      }
    }
    return result;
  }

  /** How many edges are kept (for tests). */
  synchronized int edgeCount() {
    return edges.size();
  }

  private long currentSlot() {
    return clock.millis() / SLOT.toMillis();
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}

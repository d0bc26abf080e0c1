package dev.jmesh.agent.control;

import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.agent.telemetry.EdgeStatsRecorder;
import dev.jmesh.api.EdgeStats;
import dev.jmesh.api.StatsReport;
import dev.jmesh.bootstrap.AgentLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Every interval, on its own agent thread, sends the control server what each edge carried since
 * the last report ({@code POST /v1/stats}). A report that cannot be delivered is dropped (the
 * next one carries only its own interval), so a control server that is away costs those counts and
 * nothing else; a report the server refuses is logged once.
 */
public final class StatsReporter {

  private final ControlClient client;
  private final EdgeStatsRecorder recorder;
  private final Duration interval;
  private final BooleanSupplier canReport;
  private ScheduledThreadPoolExecutor scheduler;
  private long lastReportNanos;

  /**
   * @param interval zero: never report
   * @param canReport whether the workload has a certificate to authenticate the report with
   */
  public StatsReporter(
      ControlClient client,
      EdgeStatsRecorder recorder,
      Duration interval,
      BooleanSupplier canReport) {
    this.client = client;
    this.recorder = recorder;
    this.interval = interval;
    this.canReport = canReport;
  }

  /** Starts the reports (nothing when the interval is zero); returns at once. */
  public synchronized void start() {
    if (interval.isZero() || scheduler != null) {
      return;
    }
    lastReportNanos = System.nanoTime();
    scheduler = new ScheduledThreadPoolExecutor(1, new AgentThreadFactory("stats"));
    long millis = interval.toMillis();
    scheduler.scheduleAtFixedRate(this::reportSafely, millis, millis, TimeUnit.MILLISECONDS);
  }

  public synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void reportSafely() {
    try {
      reportOnce();
    } catch (RuntimeException e) {
      // Never let an exception cancel the schedule.
      AgentLog.warnOnce("stats-internal", "a live stats report failed: " + e);
    }
  }

  /** Takes the delta since the last report and sends it; false when nothing was delivered. */
  boolean reportOnce() {
    List<EdgeStats> edges = recorder.takeDelta();
    long now = System.nanoTime();
    long intervalMillis = TimeUnit.NANOSECONDS.toMillis(now - lastReportNanos);
    lastReportNanos = now;
    if (edges.isEmpty() || !canReport.getAsBoolean()) {
      return false;
    }
    try {
      client.reportStats(new StatsReport(intervalMillis, edges), timeout());
      return true;
    } catch (ControlException e) {
      if (e.unreachable() || e.status() >= 500) {
        // The control session reports an unreachable server; these counts are simply lost.
        AgentLog.debug("live stats report dropped: " + e.getMessage());
      } else {
        AgentLog.warnOnce(
            "stats-refused-" + e.status(),
            "the control server refused the live stats report: "
                + (e.serverMessage() != null ? e.serverMessage() : e.getMessage())
                + "; the agent keeps reporting, and this is logged once");
      }
      return false;
    }
  }

  /** The interval, between 1 s and 5 s: a slow server delays the next report by little. */
  private Duration timeout() {
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      return Duration.ofSeconds(1);
    }
    return interval.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : interval;
  }
}

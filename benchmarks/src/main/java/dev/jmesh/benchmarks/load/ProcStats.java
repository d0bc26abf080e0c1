package dev.jmesh.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU time and resident memory of a process, read from {@code /proc} (Linux), and the live heap of a
 * JVM, asked of it with {@code jcmd}.
 */
public final class ProcStats {

  /** Clock ticks per second of {@code utime}/{@code stime}; 100 on every Linux we run on. */
  private static final double TICKS_PER_SECOND = Double.parseDouble(System.getProperty("bench.clkTck", "100"));

  private ProcStats() {}

  /** User + system CPU seconds the process has used so far, or NaN if it is gone. */
  public static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name (which is in parentheses and may hold spaces).
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields[0] is field 3 (state): utime is field 14, stime field 15.
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return (utime + stime) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** VmRSS in KiB, or -1 if the process is gone. */
  public static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** Serial GC: "def new generation total 4928K, used 1234K …" and "tenured generation total …, used …K". */
  private static final Pattern GENERATION_USED = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K");

  /**
   * The heap a JVM still uses after a full collection ({@code jcmd <pid> GC.run}, then {@code
   * GC.heap_info}), in KiB: what its live objects take. -1 when jcmd cannot tell (process gone, a
   * collector whose output this does not read).
   */
  public static long liveHeapKb(Path jcmd, long pid) {
    try {
      run(List.of(jcmd.toString(), Long.toString(pid), "GC.run"));
      Matcher used = GENERATION_USED.matcher(run(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info")));
      long sum = 0;
      boolean found = false;
      while (used.find()) {
        sum += Long.parseLong(used.group(1));
        found = true;
      }
      return found ? sum : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}

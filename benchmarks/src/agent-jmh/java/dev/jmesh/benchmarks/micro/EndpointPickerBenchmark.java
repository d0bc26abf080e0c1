package dev.jmesh.benchmarks.micro;

import dev.jmesh.agent.outbound.EndpointPicker;
import dev.jmesh.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Endpoint choice for each connection the application opens to a mesh service ({@code
 * dev.jmesh.agent.outbound.EndpointPicker}): round robin over 3 and over 50 instances of a service,
 * half of the 50 on another port (so the choice has to filter).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EndpointPickerBenchmark {

  private final EndpointPicker picker = new EndpointPicker();
  private List<ServiceInstance> three;
  private List<ServiceInstance> fifty;

  @Setup
  public void setUp() {
    three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(instance("10.0.0." + (i + 1), List.of(8080)));
    }
    fifty = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      List<Integer> ports = i % 2 == 0 ? List.of(8080, 9090) : List.of(7070, 9091);
      fifty.add(instance("10.0.1." + (i + 1), ports));
    }
  }

  static ServiceInstance instance(String address, List<Integer> ports) {
    return new ServiceInstance(
        null, "bench-server", "default", null, address, ports, Map.of("app", "bench-server"));
  }

  @Benchmark
  public EndpointPicker.Endpoint pickOfThree() {
    return picker.pick(three, 8080);
  }

  @Benchmark
  public EndpointPicker.Endpoint pickOfFiftyOnePortInTwo() {
    return picker.pick(fifty, 8080);
  }
}

package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jmesh.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Round robin over the instances that serve a port, handing back the instance it chose. */
class EndpointPickerTest {

  private static ServiceInstance instance(String id, String address, List<Integer> ports) {
    return new ServiceInstance(id, "orders", "shop", null, address, ports, Map.of());
  }

  @Test
  void roundRobinOverTheInstancesServingThePortReturnsTheChosenInstanceWithItsAddress() {
    ServiceInstance a = instance("a", "127.0.0.1", List.of(8080, 9090));
    ServiceInstance other = instance("other", "127.0.0.2", List.of(7070, 9091));
    ServiceInstance b = instance("b", "127.0.0.3", List.of(9090, 8080));
    EndpointPicker picker = new EndpointPicker();

    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      EndpointPicker.Endpoint endpoint = picker.pick(List.of(a, other, b), 8080);
      assertEquals(endpoint.instance().address(), endpoint.address().getHostString());
      assertEquals(8080, endpoint.address().getPort());
      chosen.add(endpoint.instance().instanceId());
    }

    assertEquals(List.of("a", "b", "a", "b"), chosen);
  }

  @Test
  void anInstanceWithOnePortServesAnyPortAndNoneServesNull() {
    ServiceInstance single = instance("single", "127.0.0.1", List.of(8080));
    EndpointPicker picker = new EndpointPicker();

    EndpointPicker.Endpoint endpoint = picker.pick(List.of(single), 80);

    assertSame(single, endpoint.instance());
    assertEquals(8080, endpoint.address().getPort());
    assertNull(picker.pick(List.of(instance("two", "127.0.0.1", List.of(1, 2))), 80));
    assertNull(picker.pick(List.of(), 80));
  }
}

package dev.jmesh.agent.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.telemetry.IstioMetrics;
import dev.jmesh.agent.telemetry.MetricLabels;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry's meters as OpenTelemetry metrics, with the names and buckets of /metrics. */
class MicrometerMetricProducerTest {

  private static MetricLabels labels() {
    return MetricLabels.of(
        "source",
        new MetricLabels.Peer("a", "default", "spiffe://cluster.local/ns/default/sa/a", Map.of()),
        new MetricLabels.Peer("b", "default", "spiffe://cluster.local/ns/default/sa/b", Map.of()),
        "b",
        "default",
        "b.default.svc.cluster.local",
        "unknown");
  }

  private static MetricData metric(List<MetricData> metrics, String name) {
    return metrics.stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + metrics));
  }

  @Test
  void countersSummariesAndTimersKeepTheirPrometheusNamesLabelsAndBuckets() {
    IstioMetrics metrics = new IstioMetrics().withAgentCost();
    metrics.request(labels(), 200, "-", 30, 100, 10);
    metrics.request(labels(), 200, "-", 3, 100, 10);
    metrics.request(labels(), 200, "-", 3000, 100, 10);
    metrics.requestProcessing(true).accept(20_000);

    List<MetricData> produced =
        List.copyOf(new MicrometerMetricProducer(metrics.registry()).produce(Resource.empty()));

    MetricData requests = metric(produced, "istio_requests_total");
    assertEquals(MetricDataType.DOUBLE_SUM, requests.getType());
    assertEquals(1, requests.getDoubleSumData().getPoints().size());
    var point = requests.getDoubleSumData().getPoints().iterator().next();
    assertEquals(3.0, point.getValue());
    assertEquals("b", point.getAttributes().get(AttributeKey.stringKey("destination_service_name")));
    assertEquals(25, point.getAttributes().size());

    HistogramPointData duration =
        metric(produced, "istio_request_duration_milliseconds")
            .getHistogramData()
            .getPoints()
            .iterator()
            .next();
    assertEquals(3, duration.getCount());
    assertEquals(3033.0, duration.getSum(), 1e-9);
    List<Double> bounds = duration.getBoundaries();
    List<Long> counts = duration.getCounts();
    assertEquals(bounds.size() + 1, counts.size());
    assertEquals(1L, counts.get(bounds.indexOf(50.0)), "30 ms in (25, 50]");
    assertEquals(1L, counts.get(bounds.indexOf(5.0)), "3 ms in (1, 5]");
    assertEquals(1L, counts.get(bounds.indexOf(5000.0)), "3000 ms in (2500, 5000]");
    assertEquals(3L, counts.stream().mapToLong(Long::longValue).sum());

    HistogramPointData processing =
        metric(produced, "jmesh_agent_request_processing_seconds").getHistogramData().getPoints()
            .stream()
            .filter(p -> "inbound".equals(p.getAttributes().get(AttributeKey.stringKey("direction"))))
            .findFirst()
            .orElseThrow();
    assertEquals(1, processing.getCount());
    assertEquals(20e-6, processing.getSum(), 1e-12);
    assertEquals(1L, processing.getCounts().get(processing.getBoundaries().indexOf(25e-6)));

    assertTrue(
        produced.stream().anyMatch(m -> m.getName().equals("jmesh_agent_threads")),
        "gauges are produced too");
  }
}

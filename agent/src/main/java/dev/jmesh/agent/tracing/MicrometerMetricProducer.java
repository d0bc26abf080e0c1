package dev.jmesh.agent.tracing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricProducer;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoublePointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableGaugeData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSumData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads a Micrometer registry's meters when the OpenTelemetry SDK collects, and hands them over as
 * OpenTelemetry metrics with the names and labels {@code /metrics} shows: counters as monotonic
 * sums named {@code …_total}, gauges as gauges, distribution summaries and timers (in seconds) as
 * explicit-bucket histograms with the meter's own buckets. Everything is cumulative since the
 * agent started. Nothing is recorded twice: the relays keep recording into the registry only.
 * Other meter types (long task timers, function timers) are not handed over; the agent has none.
 */
final class MicrometerMetricProducer implements MetricProducer {

  private static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.create("dev.jmesh.agent");

  private final MeterRegistry registry;
  private final long startEpochNanos = epochNanos();

  MicrometerMetricProducer(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The points of one metric name, as they are gathered from its meters. */
  private enum Kind {
    SUM,
    GAUGE,
    HISTOGRAM
  }

  private static final class Family {
    final Kind kind;
    final String description;
    final List<DoublePointData> values = new ArrayList<>();
    final List<HistogramPointData> histograms = new ArrayList<>();

    Family(Kind kind, String description) {
      this.kind = kind;
      this.description = description == null ? "" : description;
    }
  }

  @Override
  public Collection<MetricData> produce(Resource resource) {
    long now = epochNanos();
    NamingConvention naming = registry.config().namingConvention();
    Map<String, Family> families = new LinkedHashMap<>();
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      String name = id.getConventionName(naming);
      Attributes attributes = attributes(id.getConventionTags(naming));
      if (meter instanceof Counter || meter instanceof FunctionCounter) {
        double count =
            meter instanceof Counter counter ? counter.count() : ((FunctionCounter) meter).count();
        family(families, total(name), Kind.SUM, id)
            .values
            .add(ImmutableDoublePointData.create(startEpochNanos, now, attributes, count));
      } else if (meter instanceof Gauge gauge) {
        double value = gauge.value();
        if (!Double.isNaN(value)) {
          family(families, name, Kind.GAUGE, id)
              .values
              .add(ImmutableDoublePointData.create(startEpochNanos, now, attributes, value));
        }
      } else if (meter instanceof Timer timer) {
        family(families, name, Kind.HISTOGRAM, id)
            .histograms
            .add(histogram(timer.takeSnapshot(), TimeUnit.SECONDS, attributes, now));
      } else if (meter instanceof DistributionSummary summary) {
        family(families, name, Kind.HISTOGRAM, id)
            .histograms
            .add(histogram(summary.takeSnapshot(), null, attributes, now));
      }
    }
    List<MetricData> metrics = new ArrayList<>(families.size());
    families.forEach((name, family) -> metrics.add(metric(resource, name, family)));
    return metrics;
  }

  private static MetricData metric(Resource resource, String name, Family family) {
    return switch (family.kind) {
      case SUM ->
          ImmutableMetricData.createDoubleSum(
              resource,
              SCOPE,
              name,
              family.description,
              "",
              ImmutableSumData.create(true, AggregationTemporality.CUMULATIVE, family.values));
      case GAUGE ->
          ImmutableMetricData.createDoubleGauge(
              resource,
              SCOPE,
              name,
              family.description,
              "",
              ImmutableGaugeData.create(family.values));
      case HISTOGRAM ->
          ImmutableMetricData.createDoubleHistogram(
              resource,
              SCOPE,
              name,
              family.description,
              "",
              ImmutableHistogramData.create(
                  AggregationTemporality.CUMULATIVE, family.histograms));
    };
  }

  private static Family family(Map<String, Family> families, String name, Kind kind, Meter.Id id) {
    return families.computeIfAbsent(name, n -> new Family(kind, id.getDescription()));
  }

  /** Counters carry {@code _total}, as in the Prometheus text. */
  private static String total(String name) {
    return name.endsWith("_total") ? name : name + "_total";
  }

  private static Attributes attributes(List<Tag> tags) {
    AttributesBuilder builder = Attributes.builder();
    for (Tag tag : tags) {
      builder.put(tag.getKey(), tag.getValue());
    }
    return builder.build();
  }

  /**
   * Micrometer's cumulative bucket counts as OpenTelemetry's per-bucket counts, with the overflow
   * bucket last.
   *
   * @param unit the unit of a timer's values, null for a distribution summary
   */
  private HistogramPointData histogram(
      HistogramSnapshot snapshot, TimeUnit unit, Attributes attributes, long now) {
    List<Double> bounds = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    long below = 0;
    for (CountAtBucket bucket : snapshot.histogramCounts()) {
      double bound = unit == null ? bucket.bucket() : bucket.bucket(unit);
      if (Double.isInfinite(bound) || Double.isNaN(bound)) {
        continue;
      }
      long cumulative = (long) bucket.count();
      bounds.add(bound);
      counts.add(Math.max(0, cumulative - below));
      below = Math.max(below, cumulative);
    }
    long count = snapshot.count();
    counts.add(Math.max(0, count - below));
    double sum = unit == null ? snapshot.total() : snapshot.total(unit);
    double max = unit == null ? snapshot.max() : snapshot.max(unit);
    return ImmutableHistogramPointData.create(
        startEpochNanos, now, attributes, sum, false, 0, count > 0, max, bounds, counts);
  }

  private static long epochNanos() {
    return TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
  }
}

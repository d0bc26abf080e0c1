package dev.jmesh.api;

import java.util.List;

/**
 * {@code POST /v1/stats}: the traffic an agent saw since its previous report, per edge. The control
 * server accepts only edges whose source (reporter {@code source}) or destination (reporter {@code
 * destination}) is the workload of the caller's certificate.
 *
 * @param intervalMillis how long the counts were gathered for (the agent's report interval)
 * @param edges only the edges that carried traffic in that interval
 */
public record StatsReport(long intervalMillis, List<EdgeStats> edges) {}

package dev.jmesh.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jmesh.testing.PrometheusText;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tap on an inbound connection to the application (requests are writes, responses reads),
 * driven directly: the responses it reads with its scanner become one sample per request, each
 * with its own status and byte count.
 */
class HttpTapTest {

  private final IstioMetrics metrics = new IstioMetrics();
  private final Telemetry telemetry =
      new Telemetry(metrics, AccessLog.off(), "b", "default", Map.of(), () -> null, null);
  private final HttpTap tap = new HttpTap(telemetry, false, "10.0.0.9:50000");
  private final EmbeddedChannel channel = new EmbeddedChannel(tap);

  private static MetricLabels labels() {
    return MetricLabels.of(
        "destination",
        MetricLabels.Peer.UNKNOWN_PEER,
        new MetricLabels.Peer("b", "default", null, Map.of()),
        "b",
        "default",
        "b.default.svc.cluster.local",
        "none");
  }

  private void request(HttpMethod method) {
    tap.forwarded(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
    tap.forwarded(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  private void respond(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    channel.inboundMessages().forEach(m -> ((io.netty.buffer.ByteBuf) m).release());
    channel.inboundMessages().clear();
  }

  private double requests(String code) {
    return new PrometheusText(metrics.scrape())
        .sum("istio_requests_total", Map.of("response_code", code));
  }

  private double responseBytes(String code) {
    return new PrometheusText(metrics.scrape())
        .sum("istio_response_bytes_sum", Map.of("response_code", code));
  }

  @Test
  void keepAliveResponsesInOneReadAreCountedEachWithItsOwnBytes() {
    tap.opened(labels(), new InetSocketAddress("127.0.0.1", 8080));
    request(HttpMethod.GET);
    request(HttpMethod.HEAD);
    request(HttpMethod.POST);
    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfour";
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n";
    String created =
        "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
    respond(ok + head + created.substring(0, 30));
    respond(created.substring(30));

    assertEquals(2.0, requests("200"));
    assertEquals(ok.length() + head.length(), responseBytes("200"));
    assertEquals(1.0, requests("201"));
    assertEquals(created.length(), responseBytes("201"));
  }

  @Test
  void aBodyThatRunsUntilTheCloseCountsWithItsStatusWhenTheConnectionCloses() {
    tap.opened(labels(), new InetSocketAddress("127.0.0.1", 8080));
    request(HttpMethod.GET);
    String response = "HTTP/1.0 200 OK\r\n\r\nthe body ends with the connection";
    respond(response);
    assertEquals(0.0, requests("200"));

    channel.close();

    assertEquals(1.0, requests("200"));
    assertEquals(response.length(), responseBytes("200"));
  }

  @Test
  void bytesThatAreNotAnHttpResponseLeaveTheRequestUnanswered() {
    tap.opened(labels(), new InetSocketAddress("127.0.0.1", 8080));
    request(HttpMethod.GET);
    respond("SSH-2.0-OpenSSH_9.2\r\n");

    channel.close();

    assertEquals(0.0, requests("200"));
    assertEquals(0.0, requests("0"), "a connection that stopped being HTTP counts as TCP only");
  }
}

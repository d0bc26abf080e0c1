package dev.jmesh.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jmesh.control.Json;
import org.junit.jupiter.api.Test;

/** How the stats and graph commands print rates, error rates, latencies and mTLS shares. */
class SignalFormatTest {

  private static JsonNode signals(String json) throws Exception {
    return Json.MAPPER.readTree(json);
  }

  @Test
  void ratesKeepTwoDecimalsBelowOnePerSecondSoLowTrafficIsNotZero() throws Exception {
    assertEquals("12.0", SignalFormat.rps(signals("{\"requestsPerSecond\":12}")));
    assertEquals("0.05", SignalFormat.rps(signals("{\"requestsPerSecond\":0.0466}")));
    assertEquals("<0.01", SignalFormat.rps(signals("{\"requestsPerSecond\":0.003}")));
    assertEquals("0.0", SignalFormat.rps(signals("{\"requestsPerSecond\":0}")));
  }

  @Test
  void errorRatesAndLatenciesShowADashWithoutRequests() throws Exception {
    assertEquals("23.1%", SignalFormat.errorPercent(signals("{\"errorRate\":0.2308}")));
    assertEquals("-", SignalFormat.errorPercent(signals("{\"errorRate\":null}")));
    assertEquals("8 ms", SignalFormat.millis(signals("7.6")));
    assertEquals("0.4 ms", SignalFormat.millis(signals("0.42")));
    assertEquals("-", SignalFormat.millis(signals("null")));
  }

  @Test
  void mtlsIsAllNoneOrTheShare() throws Exception {
    assertEquals("mTLS", SignalFormat.mtls(signals("{\"mtlsShare\":1.0}")));
    assertEquals("plaintext", SignalFormat.mtls(signals("{\"mtlsShare\":0.0}")));
    assertEquals("mTLS 93%", SignalFormat.mtls(signals("{\"mtlsShare\":0.9286}")));
  }
}
